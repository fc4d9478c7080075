-- An image's shapes are read in position order, and a patch appends after the last position: both
-- walk this index instead of sorting or scanning all of the image's rows.
CREATE INDEX annotations_image_position ON annotations(image_id, position);
