-- Colour channels of the stored file as decoded (1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha):
-- Pascal VOC's <depth> says whether an image is greyscale. NULL for images uploaded before; read as 3.
ALTER TABLE images ADD COLUMN channels INTEGER;
