import type { useInbox } from "../../state/inbox.js";
import { Modal } from "../../ui/Modal.js";
import { InboxItemCard } from "./InboxItemCard.js";
import { nextPermission } from "./inbox.js";

/**
 * Pops up when an agent asks for a permission (anywhere in the app): the tool, its arguments and
 * path; allow once, always for this task, or deny. Closing it without deciding leaves the request
 * in the inbox.
 */
export function PermissionModal({ inbox }: { inbox: ReturnType<typeof useInbox> }) {
  const item = nextPermission(inbox.data, inbox.dismissed);
  if (!item) return null;
  const close = () => inbox.dismiss(item.id);
  return (
    <Modal title="Permission requested" onClose={close}>
      <InboxItemCard
        key={item.id}
        item={item}
        onDone={() => {
          inbox.dismiss(item.id);
          inbox.reload();
        }}
      />
    </Modal>
  );
}
