"""What the main window does in response to the user: confirmations, selection, states.

Kept apart from `main_window.py` (which only builds and wires) so each stays small; every
decision that reaches a service goes through a controller, and every question to the user
through `ctx.dialogs` (tests answer them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.window_dialogs import WindowDialogs

if TYPE_CHECKING:
    from clickdrop_desktop.connectivity import Snapshot
    from printing.bitmap import Bitmap
    from ui.main_window import MainWindow
    from ui.models.order_row import OrderRow
    from ui.services.workspace import Workspace

_SORTS = {
    "order_date": lambda r: (r.order_date is None, r.order_date),
    "reference": lambda r: r.reference.lower(),
    "postcode": lambda r: r.postcode.replace(" ", "").upper(),
}


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class WindowLogic(WindowDialogs):
    """The window's decisions; the dialogs it opens are `WindowDialogs`'."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        #: The order the details pane shows (one selected, or the last scanned), re-read when
        #: the store changes so its status never lags the table (a scan, a print, a sync).
        self.detail_order_id: int | None = None

    # -- account ---------------------------------------------------------------------------------

    def show_workspace(self, workspace: Workspace | None) -> None:
        w = self.w
        if self.workspace is not None and self.workspace is not workspace:
            self.workspace.connectivity_changed.disconnect(
                w.wiring.on_workspace_connectivity_changed
            )
        self.workspace = workspace
        # The rows read ahead of the session (same store) stay on screen; a refresh follows.
        w.model.set_source(workspace.orders if workspace else None, keep_rows=True)
        w.search.reset()
        self.detail_order_id = None
        w.detail.show_hint("Select an order to see its details.")
        w.preview.show_message("Select an order to preview its label.")
        for action in w.commands.needs_account():
            action.setEnabled(workspace is not None)
        if workspace is None:
            w.commands.bench.setChecked(False)
            w.show_welcome()
            if w.banner_built:
                w.banner.setVisible(False)
            w.connection_label.setText("")
            w.count_label.setText("")
            w.sync_status.set_idle("")
            w.setWindowTitle("Click & Drop Desktop")
            return
        w.stack.setCurrentIndex(1)
        w.orders_view.set_address_columns_visible(workspace.profile.full)
        w.orders_view.set_label_column_visible(workspace.profile.labels)
        # No label comes through the API for these accounts: the details get the column.
        w.preview_card.setVisible(workspace.profile.labels)
        c = w.commands
        for action in (c.prepare, c.print, c.reprint, c.batch, c.manifest):
            action.setEnabled(workspace.profile.labels)
            if not workspace.profile.labels:
                action.setToolTip(
                    "Labels come through the API for OBA accounts only: print this account's "
                    "labels from the Click & Drop website"
                )
        w.setWindowTitle(f"{workspace.name} — Click & Drop Desktop")
        workspace.connectivity_changed.connect(w.wiring.on_workspace_connectivity_changed)
        self.show_connectivity(workspace.snapshot())
        last = workspace.last_sync()
        w.sync_status.set_idle(
            f"Last synced {last.astimezone().strftime('%d %b %H:%M')}" if last else "Not synced yet"
        )
        w.orders_view.setFocus()
        w.c.sync.sync_now()

    def show_opening(self, name: str) -> None:
        """An account is opening: its page at once, the table loading until its rows arrive."""
        w = self.w
        w.stack.setCurrentIndex(1)
        w.setWindowTitle(f"{name} — Click & Drop Desktop")
        w.model.expect_rows()
        w.count_label.setText("")
        w.sync_status.set_idle(f"Opening {name}…")
        w.orders_view.setFocus()

    def refresh_banner(self) -> None:
        if self.workspace is not None:
            self.show_connectivity(self.workspace.snapshot())

    def show_connectivity(self, snapshot: Snapshot) -> None:
        w, workspace = self.w, self.workspace
        if workspace is None:
            return
        online = snapshot.state.value == "online"
        if not online or w.banner_built:  # online, an unbuilt banner would only be hidden
            waiting = workspace.waiting_changes()
            w.banner.set_state(
                snapshot.state.value, snapshot.reason, workspace.last_sync(), waiting
            )
        w.commands.set_api_available(online, snapshot.reason)
        for action in w.commands.needs_api():
            label_only = action in (w.commands.prepare, w.commands.manifest)
            label_only = label_only and not workspace.profile.labels
            action.setEnabled(online and not label_only)
            if label_only:
                action.setToolTip("Labels and manifests come through the API for OBA accounts only")
        if w.outbox_panel_built:  # built later, it reads the workspace's state itself
            w.outbox_panel.set_online(online)
        text = {"online": "● Online", "degraded": "● Slow or failing", "offline": "● Offline"}
        w.connection_label.setText(text[snapshot.state.value])
        # Waiting changes replay by themselves when it comes back (the outbox's runner).

    def sign_in(self) -> None:
        from ui.dialogs.sign_in import SignInDialog

        w = self.w
        if not w.c.accounts.unlock_keys(None):
            return
        dialog = SignInDialog(w.ctx.tasks, w.c.accounts.directory, w)
        if w.ctx.dialogs.open_dialog("sign_in", dialog) and dialog.outcome is not None:
            w.c.accounts.signed_in(dialog.outcome)
        dialog.deleteLater()

    def sign_out(self, name: str | None = None) -> None:
        w, workspace = self.w, self.workspace
        name = name or (workspace.name if workspace else None)
        if not name:
            return
        text = (
            f"Sign out of {name}? Its keys and every order and label cached on this computer "
            "are deleted (it can be synced again after signing in)."
        )
        if workspace is not None and workspace.name == name and workspace.waiting_changes():
            text += (
                f"\n\n{plural(workspace.waiting_changes(), 'change')} made here have not "
                "reached Click & Drop yet and will be lost."
            )
        if w.ctx.dialogs.confirm(w, "Sign out", text, "Sign out and delete"):
            w.c.accounts.sign_out(name)

    def ask_passphrase(self, why: str) -> str | None:
        return self.w.ctx.dialogs.passphrase(self.w, "Passphrase", why)

    # -- orders and selection --------------------------------------------------------------------

    def refresh_orders(self) -> None:
        """The store changed: re-read in a worker; keep the selection by order id."""
        w = self.w
        selected = w.orders_view.selected_order_ids()

        def reselect() -> None:
            if selected:
                w.orders_view.select_order_ids(selected)

        w.c.orders.refresh_model(w.model, reselect)
        if self.detail_order_id is not None:
            w.c.orders.load_order(self.detail_order_id)

    def selected_rows(self) -> list[OrderRow]:
        w = self.w
        rows = sorted(i.row() for i in w.orders_view.selectionModel().selectedRows())
        return [r for r in (w.model.row_at(i) for i in rows) if r is not None]

    def selection_settled(self, ids: list[int]) -> None:
        w = self.w
        if len(ids) == 1:
            self.detail_order_id = ids[0]
            w.c.orders.load_order(ids[0])
            w.c.printing.preview(ids[0])
            return
        if not ids and w.commands.bench.isChecked():
            return  # bench mode shows the last scanned order, whatever the table does
        self.detail_order_id = None
        w.c.printing.preview(None)
        if not ids:
            w.detail.show_hint("Select an order to see its details.")
            w.preview.show_message("Select an order to preview its label.")
        else:
            w.detail.show_hint(
                f"{plural(len(ids), 'order')} selected.\n\nCtrl+P prints their labels, "
                "Ctrl+K their packing slips, Ctrl+D marks them despatched."
            )
            w.preview.show_message(f"{plural(len(ids), 'order')} selected")

    def show_preview(self, order_id: int, bitmap: Bitmap | None, text: str) -> None:
        if bitmap is not None:
            self.w.preview.show_bitmap(bitmap, text)
        else:
            self.w.preview.show_message(text)

    def show_scanned_order(self, order_id: int) -> None:
        """Details and label of the order just scanned (it may leave the current tab)."""
        w = self.w
        w.orders_view.clearSelection()
        self.detail_order_id = order_id
        w.c.orders.load_order(order_id)
        w.c.printing.preview(order_id)

    # -- printing --------------------------------------------------------------------------------

    def print_selected(self, *, reprint: bool) -> None:
        rows = self.selected_rows()
        if not rows:
            self.status("Select the orders to print first")
            return
        self.print_ids([r.order_id for r in rows], rows=rows, reprint=reprint)

    def print_ids(
        self, ids: list[int], *, rows: list[OrderRow] | None = None, reprint: bool = False
    ) -> None:
        w, workspace = self.w, self.workspace
        if workspace is None or not ids:
            return
        rows = rows if rows is not None else self.selected_rows()
        missing = sum(1 for r in rows if r.order_id in ids and not r.has_label)
        allow_fetch = False
        if missing and workspace.profile.labels and workspace.online:
            if len(ids) == 1:
                text = "This order has no label yet. Click & Drop will generate it now "
            else:
                text = (
                    f"{plural(missing, 'order')} of these {'has' if missing == 1 else 'have'} "
                    f"no label yet. Click & Drop will generate {'it' if missing == 1 else 'them'} "
                    "now "
                )
            allow_fetch = w.ctx.dialogs.confirm(
                w,
                "Generate labels",
                text + "(postage may be charged), then print. Continue?",
                f"Generate {plural(missing, 'label')}",
            )
            if not allow_fetch:
                return
        w.c.printing.print_orders(ids, reprint=reprint, allow_fetch=allow_fetch)

    def prepare_labels(self) -> None:
        w, workspace = self.w, self.workspace
        if workspace is None:
            return
        ids = [r.order_id for r in self.selected_rows() if not r.has_label]
        if not ids:
            self.status("Every selected order already has a label cached")
            return
        if not workspace.profile.labels:
            self.show_error(
                "This account type does not get labels through the API (OBA accounts only). "
                "Print its labels from the Click & Drop website."
            )
            return
        if w.ctx.dialogs.confirm(
            w,
            "Prepare labels",
            f"Generate {plural(len(ids), 'label')} in Click & Drop now? Postage may be "
            "charged. The labels are kept encrypted here, so they print even offline.",
            f"Generate {plural(len(ids), 'label')}",
        ):
            w.c.printing.prepare_labels(ids)

    def print_slips(self) -> None:
        ids = [r.order_id for r in self.selected_rows()]
        if ids:
            self.w.c.printing.print_packing_slips(ids)

    def batch_print(self) -> None:
        w = self.w
        rows = self.selected_rows()
        if not rows:
            self.status("Select the orders to print first")
            return
        key = _SORTS.get(w.ctx.prefs.batch_sort, _SORTS["order_date"])
        ordered = sorted(rows, key=key)
        if w.ctx.dialogs.confirm(
            w,
            "Batch print",
            f"Print {plural(len(ordered), 'label')} sorted by "
            f"{w.ctx.prefs.batch_sort.replace('_', ' ')}?",
            "Print",
        ):
            self.print_ids([r.order_id for r in ordered], rows=ordered)

    def mark_despatched(self) -> None:
        w = self.w
        ids = [r.order_id for r in self.selected_rows()]
        if ids and w.ctx.dialogs.confirm(
            w,
            "Mark despatched",
            f"Mark {plural(len(ids), 'order')} as despatched in Click & Drop?",
            "Mark despatched",
        ):
            w.c.outbox.mark_despatched(ids)

    def discard_outbox(self, ids: list[str]) -> None:
        w = self.w
        if w.ctx.dialogs.confirm(
            w,
            "Discard changes",
            f"Discard {plural(len(ids), 'change')}? They will never reach Click & Drop.",
            "Discard",
        ):
            w.c.outbox.discard(ids)

    # -- bench -----------------------------------------------------------------------------------

    def set_bench_mode(self, on: bool) -> None:
        w = self.w
        w.scan_panel.setVisible(on)
        w.scan_panel.set_keep_focus(on)
        if on:
            w.scan_panel.focus_scan()
        else:
            w.orders_view.setFocus()
