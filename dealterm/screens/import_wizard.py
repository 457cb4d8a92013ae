"""The import wizard: file → columns → check → import, the same engine as `dealterm import deals`.

1. **File**: a path typed or picked in the tree, with the preset, encoding, delimiter and the
   pipeline for rows that name none (each "detect" by default).
2. **Columns**: the first rows as they were read, and every column with the field it goes to;
   enter picks another field, delete leaves the column out.
3. **Check**: a dry run over the whole file — what would be created, updated and merged, and
   every bad row with its row number, column, value and reason. Bad rows can be skipped (they
   go to a rejects file next to the input) or the file fixed first.
4. **Import**: one transaction with a progress bar, then the result.

Every read and the import itself run in worker threads; nothing is written before step 4.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Checkbox,
    ContentSwitcher,
    DataTable,
    DirectoryTree,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from dealterm.screens.base import CrmAccess, in_thread
from dealterm.widgets.footer import KeyFooter
from dealterm.widgets.table import Table

if TYPE_CHECKING:
    from dealterm.core.importing import ImportOptions, ImportPreview, ImportReport

__all__ = ["ImportWizard"]

_STEPS = (
    ("step-file", "File"),
    ("step-columns", "Columns"),
    ("step-check", "Check"),
    ("step-run", "Import"),
)
_PRESET_LABELS = {
    "generic": "Generic (our own columns)",
    "bitrix24": "Bitrix24",
    "amocrm": "amoCRM / Kommo",
    "pipedrive": "Pipedrive",
    "hubspot": "HubSpot",
}
_ENCODINGS = (
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("cp1251", "Windows-1251"),
    ("koi8-r", "KOI8-R"),
    ("utf-16", "UTF-16"),
)
_DELIMITERS = ((";", "; semicolon"), (",", ", comma"), ("\t", "tab"))
_DETECT = "__detect__"
_SKIP = "__skip__"
_SUFFIXES = {".csv", ".tsv", ".txt"}


class _CsvTree(DirectoryTree):
    """Folders and the files an import can read (hidden ones left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (path.is_dir() or path.suffix.lower() in _SUFFIXES)
        ]


def show_int(count: int) -> str:
    """A count with thousands separators."""
    return f"{count:,}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """``3 deals``, ``1 deal``."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _cell(value: str, width: int = 30) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class ImportWizard(CrmAccess, ModalScreen[bool]):
    """Dismisses with True when deals were imported (the views reload), False otherwise."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", id="import.next", priority=True),
        Binding("ctrl+b", "back", "Back", id="import.back", priority=True),
        Binding("escape", "cancel", "Close", id="import.cancel"),
        Binding("delete", "skip_column", "Leave out", id="import.skip", show=False),
    ]

    DEFAULT_CSS = """
    ImportWizard { align: center middle; }
    ImportWizard > #wizard {
        width: 100%; height: 100%; padding: 0 1; background: $surface;
    }
    ImportWizard #steps { height: 1; margin-bottom: 1; }
    ImportWizard ContentSwitcher { height: 1fr; }
    ImportWizard ContentSwitcher > Vertical { height: 1fr; }
    ImportWizard #path-row, ImportWizard .options { height: auto; }
    ImportWizard #path-row > Label, ImportWizard .options > Label { width: 12; padding-top: 1; }
    ImportWizard #path { width: 1fr; }
    ImportWizard .options Select { width: 1fr; margin-right: 1; }
    ImportWizard #files { height: 1fr; border: round $panel-lighten-2; }
    ImportWizard #preview { height: 9; margin-bottom: 1; }
    ImportWizard #mapping { height: 1fr; }
    ImportWizard #bad { height: 1fr; }
    ImportWizard .summary { height: auto; margin-bottom: 1; }
    ImportWizard #progress { margin: 1 0; }
    ImportWizard .error { height: auto; }
    ImportWizard .hint { height: auto; }
    """

    def __init__(self, start_dir: Path | None = None) -> None:
        super().__init__()
        self.start_dir = start_dir or Path.cwd()
        self.preview: ImportPreview | None = None
        self.mapping: dict[str, str | None] = {}
        self.report: ImportReport | None = None
        self.done: ImportReport | None = None
        self._busy = False

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from dealterm.core.importing import PRESETS

        with Vertical(id="wizard"):
            yield Label("Import deals", classes="dialog-title")
            yield Static(id="steps")
            with ContentSwitcher(initial="step-file"):
                with Vertical(id="step-file"):
                    with Horizontal(id="path-row"):
                        yield Label("File")
                        yield Input(
                            placeholder="path to a .csv or .tsv file (or pick one below)",
                            id="path",
                        )
                    yield Label("", id="file-error", classes="error")
                    with Horizontal(classes="options"):
                        yield Label("Read as")
                        yield Select(
                            [("Recognise from the headers", _DETECT)]
                            + [(_PRESET_LABELS.get(p, p), p) for p in PRESETS],
                            value=_DETECT,
                            allow_blank=False,
                            id="preset",
                        )
                        yield Select(
                            [("Detect the encoding", _DETECT)]
                            + [(label, code) for code, label in _ENCODINGS],
                            value=_DETECT,
                            allow_blank=False,
                            id="encoding",
                        )
                        yield Select(
                            [("Detect the delimiter", _DETECT)]
                            + [(label, code) for code, label in _DELIMITERS],
                            value=_DETECT,
                            allow_blank=False,
                            id="delimiter",
                        )
                    with Horizontal(classes="options"):
                        yield Label("Pipeline")
                        yield Select(
                            [], prompt="as the file says (else the default)", id="pipeline"
                        )
                    yield _CsvTree(self.start_dir, id="files")
                    yield Label(
                        "type a path or pick a file (enter) · ctrl+n reads it · escape closes",
                        classes="hint",
                    )
                with Vertical(id="step-columns"):
                    yield Static(id="columns-summary", classes="summary")
                    yield Table(id="preview", zebra_stripes=True, cursor_type="none")
                    yield Table(id="mapping", cursor_type="row")
                    yield Label(
                        "enter picks the field a column goes to · delete leaves it out · "
                        "ctrl+n checks the whole file (nothing is written) · ctrl+b back",
                        classes="hint",
                    )
                with Vertical(id="step-check"):
                    yield Static(id="check-summary", classes="summary")
                    yield Checkbox(
                        "Skip the bad rows (they go to a rejects file next to the input)",
                        id="skip-bad",
                    )
                    yield Table(id="bad", cursor_type="row", zebra_stripes=True)
                    yield Label(
                        "ctrl+n imports · ctrl+b back to the columns",
                        classes="hint",
                        id="check-hint",
                    )
                with Vertical(id="step-run"):
                    yield Static(id="run-summary", classes="summary")
                    yield ProgressBar(id="progress", show_eta=False)
                    yield Static(id="result", classes="summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_steps("step-file")
        self.query_one("#path", Input).focus()
        self._load_pipelines()

    @work(exclusive=True, group="import-pipelines", exit_on_error=False)
    async def _load_pipelines(self) -> None:
        pipelines = await in_thread(self.crm.pipelines)
        self.query_one("#pipeline", Select).set_options([(p.name, str(p.id)) for p in pipelines])

    def _show_steps(self, current: str) -> None:
        text = Text()
        reached = True
        for index, (step, label) in enumerate(_STEPS, 1):
            if index > 1:
                text.append("  ›  ", style="dim")
            if step == current:
                text.append(f"{index} {label}", style="bold reverse")
                reached = False
            else:
                text.append(f"{index} {label}", style="" if reached else "dim")
        self.query_one("#steps", Static).update(text)
        self.query_one(ContentSwitcher).current = current

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or "step-file"

    # --- step 1: the file -----------------------------------------------------------------
    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        self.action_next()

    @on(Input.Submitted, "#path")
    def _path_entered(self) -> None:
        self.action_next()

    @on(Input.Changed, "#path")
    def _path_typed(self) -> None:
        self.query_one("#file-error", Label).update("")

    def _choice(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value in (Select.NULL, _DETECT) else str(value)

    def options(self, *, dry_run: bool = False) -> ImportOptions:
        """What the user chose, as the engine takes it."""
        from dealterm.core.importing import ImportOptions

        return ImportOptions(
            preset=self.preview.preset if self.preview else self._choice("#preset"),
            mapping=dict(self.mapping),
            encoding=self.preview.encoding if self.preview else self._choice("#encoding"),
            delimiter=self.preview.delimiter if self.preview else self._choice("#delimiter"),
            pipeline=self._choice("#pipeline"),
            skip_bad=self.query_one("#skip-bad", Checkbox).value,
            dry_run=dry_run,
        )

    @work(exclusive=True, group="import-read", exit_on_error=False)
    async def _read(self) -> None:
        from dealterm.core.errors import DealtermError
        from dealterm.core.importing import ImportOptions

        raw = self.query_one("#path", Input).value.strip()
        error = self.query_one("#file-error", Label)
        if not raw:
            error.update("Type the path of a file, or pick one below")
            return
        path = Path(raw).expanduser()
        options = ImportOptions(
            preset=self._choice("#preset"),
            encoding=self._choice("#encoding"),
            delimiter=self._choice("#delimiter"),
            pipeline=self._choice("#pipeline"),
        )
        self._busy = True
        error.update("Reading…")
        try:
            preview = await in_thread(self.crm.import_preview, path, options)
        except DealtermError as problem:
            error.update(problem.message)
            self.query_one("#path", Input).focus()
            return
        finally:
            self._busy = False
        error.update("")
        self.preview = preview
        self.mapping = dict(preview.mapping)
        self._fill_columns()
        self._show_steps("step-columns")
        self.query_one("#mapping", DataTable).focus()

    # --- step 2: the columns --------------------------------------------------------------
    def _target_label(self, key: str | None) -> str:
        if key is None:
            return "— left out —"
        assert self.preview is not None
        return next((t.label for t in self.preview.targets if t.key == key), key)

    def _fill_columns(self) -> None:
        preview = self.preview
        assert preview is not None
        how = "recognised from the headers" if preview.recognised else "chosen"
        delimiter = {"\t": "tab", ";": "semicolon", ",": "comma"}.get(
            preview.delimiter, repr(preview.delimiter)
        )
        mapped = sum(1 for key in self.mapping.values() if key)
        self.query_one("#columns-summary", Static).update(
            f"[b]{preview.path.name}[/b]: {show_int(preview.row_count)} rows · "
            f"{_PRESET_LABELS.get(preview.preset, preview.preset)} ({how}) · "
            f"{preview.encoding} · {delimiter} · "
            f"{mapped} of {len(preview.headers)} columns imported"
        )
        table = self.query_one("#preview", DataTable)
        table.clear(columns=True)
        for header in preview.headers:
            table.add_column(_cell(header, 24))
        for row in preview.rows[:20]:
            cells = [_cell(v, 24) for v in row[: len(preview.headers)]]
            cells += [""] * (len(preview.headers) - len(cells))
            table.add_row(*cells)
        self._fill_mapping()

    def _fill_mapping(self, keep: int | None = None) -> None:
        preview = self.preview
        assert preview is not None
        table = self.query_one("#mapping", DataTable)
        table.clear(columns=True)
        table.add_columns("Column in the file", "First value", "Imported as")
        for index, header in enumerate(preview.headers):
            sample = next((r[index] for r in preview.rows if index < len(r) and r[index]), "")
            target = self.mapping.get(header)
            shown = self._target_label(target)
            table.add_row(
                _cell(header, 36),
                _cell(sample, 36),
                Text(shown, style="" if target else "dim"),
                key=str(index),
            )
        if keep is not None and table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    @on(DataTable.RowSelected, "#mapping")
    def _row_chosen(self) -> None:
        self._remap()

    @work(exclusive=True, group="import-remap", exit_on_error=False)
    async def _remap(self) -> None:
        from dealterm.screens.picker import PickerModal

        preview = self.preview
        table = self.query_one("#mapping", DataTable)
        if preview is None or not table.row_count:
            return
        row = table.cursor_row
        header = preview.headers[row]
        choices = [(_SKIP, "— leave this column out —")] + [
            (t.key, t.label) for t in preview.targets
        ]
        picked = await self.app.push_screen_wait(
            PickerModal(f"“{header}” goes to…", choices, selected=self.mapping.get(header))
        )
        if picked is None:
            return
        self._set_target(header, None if picked == _SKIP else picked, row)

    def action_skip_column(self) -> None:
        table = self.query_one("#mapping", DataTable)
        if self.step != "step-columns" or self.preview is None or not table.row_count:
            return
        row = table.cursor_row
        self._set_target(self.preview.headers[row], None, row)

    def _set_target(self, header: str, key: str | None, row: int) -> None:
        if key is not None:  # one column per field: the column that had it is left out
            for other, target in self.mapping.items():
                if target == key and other != header and not key.startswith("product"):
                    self.mapping[other] = None
        self.mapping[header] = key
        self.report = None
        self._fill_columns()
        self.query_one("#mapping", DataTable).move_cursor(row=row)

    # --- step 3: the dry run ------------------------------------------------------------
    @work(exclusive=True, group="import-check", exit_on_error=False)
    async def _check(self) -> None:
        from dealterm.core.errors import DealtermError

        summary = self.query_one("#check-summary", Static)
        self._show_steps("step-check")
        summary.update("Checking every row (nothing is written)…")
        self.query_one("#bad", DataTable).clear(columns=True)
        self._busy = True
        try:
            report = await in_thread(
                self.crm.import_deals, self.preview.path, self.options(dry_run=True)
            )  # type: ignore[union-attr]
        except DealtermError as problem:
            summary.update(f"[red]{problem.message}[/red]")
            return
        finally:
            self._busy = False
        self.report = report
        self._show_check(report)

    def _show_check(self, report: ImportReport) -> None:
        counts = self._counts(report, future=True)
        skip = self.query_one("#skip-bad", Checkbox)
        skip.display = bool(report.bad)
        if report.bad:
            rows_bad = len({b.row for b in report.bad})
            head = f"[b red]{plural(rows_bad, 'bad row')}[/b red] of {show_int(report.rows)}. "
            tail = (
                "With “skip” on, the good rows are imported and the bad ones written to a "
                "rejects file; with it off, nothing is imported until the file is fixed."
            )
            self.query_one("#check-summary", Static).update(f"{head}{counts}\n{tail}")
        else:
            self.query_one("#check-summary", Static).update(
                f"[b green]Every row is good[/b green] ({show_int(report.rows)} rows). {counts}"
            )
        table = self.query_one("#bad", DataTable)
        table.clear(columns=True)
        table.display = bool(report.bad)
        if report.bad:
            table.add_columns("Row", "Column", "Value", "Reason")
            for bad in report.bad[:1000]:
                table.add_row(str(bad.row), _cell(bad.column, 24), _cell(bad.value, 30), bad.reason)
            table.focus()

    def _counts(self, report: ImportReport, *, future: bool) -> str:
        verb = "will be" if future else "were"
        verb_one = "will be" if future else "was"
        parts = [
            f"{plural(report.created, 'deal')} {verb if report.created != 1 else verb_one} created",
            f"{show_int(report.updated)} updated",
        ]
        if report.merged_rows:
            parts.append(
                f"{plural(report.merged_rows, 'row')} merged into the deal above "
                f"{'it' if report.merged_rows == 1 else 'them'}"
            )
        if report.products:
            parts.append(plural(report.products, "product row"))
        parts.append(
            f"companies: {show_int(report.companies_created)} new, "
            f"{show_int(report.companies_matched)} found"
        )
        parts.append(
            f"contacts: {show_int(report.contacts_created)} new, "
            f"{show_int(report.contacts_matched)} found"
        )
        return " · ".join(parts)

    # --- step 4: the import -------------------------------------------------------------
    @work(exclusive=True, group="import-run", exit_on_error=False)
    async def _run(self) -> None:
        from dealterm.core.errors import DealtermError

        preview = self.preview
        assert preview is not None
        self._show_steps("step-run")
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(preview.row_count, 1), progress=0)
        self.query_one("#run-summary", Static).update(
            f"Importing {show_int(preview.row_count)} rows from {preview.path.name} "
            "(one transaction: all or nothing)…"
        )
        result = self.query_one("#result", Static)
        result.update("")

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=max(total, 1), progress=done)

        self._busy = True
        try:
            report = await in_thread(self.crm.import_deals, preview.path, self.options(), progress)
        except DealtermError as problem:
            result.update(f"[red]Nothing was imported: {problem.message}[/red]")
            return
        finally:
            self._busy = False
        self.done = report
        if not report.imported:
            result.update(
                f"[red]Nothing was imported: {plural(len(report.bad), 'problem')} "
                "(ctrl+b shows them)[/red]"
            )
            self.report = report
            return
        bar.update(total=max(report.rows, 1), progress=report.rows)
        lines = [f"[b green]Done.[/b green] {self._counts(report, future=False)}."]
        if report.rejects_path is not None:
            lines.append(
                f"{plural(len({b.row for b in report.bad}), 'bad row')} skipped and "
                f"written to {report.rejects_path}"
            )
        lines.append("escape closes; the views show the new deals.")
        result.update("\n".join(lines))
        self.dt_app.note_own_change()
        self.dt_app.broadcast_change(None)

    # --- moving between steps -----------------------------------------------------------
    def action_next(self) -> None:
        if self._busy:
            return
        step = self.step
        if step == "step-file":
            self.preview = None
            self.report = None
            self._read()
        elif step == "step-columns":
            if not any(self.mapping.values()):
                self.notify("Every column is left out: pick a field for at least the title")
                return
            self._check()
        elif step == "step-check" and self.report is not None:
            if self.report.bad and not self.query_one("#skip-bad", Checkbox).value:
                self.query_one("#check-summary", Static).update(
                    "[b red]Fix the file, or tick “skip the bad rows”, to import.[/b red] "
                    + self._counts(self.report, future=True)
                )
                self.query_one("#skip-bad", Checkbox).focus()
                return
            self._run()

    def action_back(self) -> None:
        if self._busy:
            return
        step = self.step
        if step == "step-columns":
            self._show_steps("step-file")
            self.query_one("#path", Input).focus()
        elif step == "step-check":
            self._show_steps("step-columns")
            self.query_one("#mapping", DataTable).focus()
        elif step == "step-run" and self.done is not None and not self.done.imported:
            self._show_steps("step-check")
            self._show_check(self.done)

    def action_cancel(self) -> None:
        if self._busy and self.step == "step-run":
            self.notify("The import is running; it finishes or leaves nothing behind")
            return
        self.dismiss(bool(self.done and self.done.imported))
