import type { ReactNode } from "react";
import { Link } from "react-router";
import { urlOf } from "../api/client";
import { Spinner } from "../ui/parts";

/** An image in a review list: its thumbnail and name, linking where the list sends a reviewer. */
export function QueueImageLink({ imageId, fileName, to }: { imageId: number; fileName: string; to: string }) {
  return (
    <Link className="queue-image" to={to}>
      <img
        className="queue-image__thumb"
        src={urlOf("imageThumbnail", { imageId })}
        alt=""
        loading="lazy"
        decoding="async"
      />
      <span className="queue-image__name" title={fileName}>
        {fileName}
      </span>
    </Link>
  );
}

/** Under a paged review list: what is shown, "Show more" while pages remain, the last error. */
export function ListFoot({
  shown,
  more,
  loading,
  error,
  onMore,
}: {
  shown: ReactNode;
  more: boolean;
  loading: boolean;
  error: string | null;
  onMore: () => void;
}) {
  return (
    <div className="list-foot">
      <span className="muted">{shown}</span>
      {more && (
        <button type="button" className="button" disabled={loading} onClick={onMore}>
          {loading && <Spinner label="Loading" />} Show more
        </button>
      )}
      {error && <span className="text-danger">{error}</span>}
    </div>
  );
}
