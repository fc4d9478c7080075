import { type ReactNode, useId } from "react";
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

/** A list filter choosing one person or label by id, or none ("Anyone", "Any label"). */
export function IdFilterSelect({
  title,
  anyText,
  value,
  options,
  onChange,
}: {
  title: string;
  anyText: string;
  value: number | undefined;
  options: readonly { id: number; name: string }[];
  onChange: (id: number | undefined) => void;
}) {
  const id = useId();
  return (
    <label className="queue-filter" htmlFor={id}>
      <span>{title}</span>
      <select
        id={id}
        className="input select select--compact"
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      >
        <option value="">{anyText}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}
