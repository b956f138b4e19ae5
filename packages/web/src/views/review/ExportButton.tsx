import { links } from "../../router.js";

/**
 * A link that downloads a task's export (a zip of its transcript, diff, event log and metadata)
 * from `GET /tasks/:id/export`. A plain same-origin link: the login cookie goes along, the browser
 * streams the file to disk, and the server's Content-Disposition names it.
 */
export function ExportButton({ taskId, label = "Export (zip)" }: { taskId: string; label?: string }) {
  return (
    <a
      className="button rv-export"
      href={links.exportZip(taskId)}
      download={`flotilla-task-${taskId}.zip`}
      title="download the task's transcript, diff, event log and metadata as a zip"
    >
      {label}
    </a>
  );
}
