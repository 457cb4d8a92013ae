"""One deal from its rows: values, stage, amount, products, clients, create or update.

A deal is bad if any of its rows is; only good deals get clients, so nothing is created
for a deal that is not imported. A re-import compares with what the deal holds and keeps
only what changed; an empty cell leaves a value as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from dealterm.core.importing.clients import ClientBook, NewClient
from dealterm.core.importing.convert import BadCell, Columns, Context
from dealterm.core.importing.custom_values import PendingLink
from dealterm.core.importing.lookups import Existing, Lookups, ProductInfo, StageInfo
from dealterm.core.importing.plan_types import DealPlan, ProductLine
from dealterm.core.importing.preset_model import FAILURE, SUCCESS
from dealterm.core.importing.stages import StageFinder
from dealterm.core.importing.values import norm_value
from dealterm.core.models import Semantics
from dealterm.core.services.products import RowTotals, compute_row, rows_total

__all__ = ["DealBuilder"]

CLOSE_AFTER_DAYS = 7
_PRODUCT_TARGETS = ("product", "price", "quantity", "discount", "tax_rate", "measure")


class DealBuilder:
    """Turns the rows of one deal into its plan; one instance per import."""

    def __init__(
        self,
        ctx: Context,
        columns: Columns,
        headers_of: dict[str, str],
        existing: dict[str, Existing],
    ) -> None:
        self.ctx = ctx
        self.lookups: Lookups = ctx.lookups
        self.columns = columns
        self.headers_of = headers_of
        self.existing = existing
        self.today = ctx.clock.today()
        self.close_after = self.today + timedelta(days=CLOSE_AFTER_DAYS)
        self.companies = ClientBook(ctx.lookups.companies)
        self.contacts = ClientBook(ctx.lookups.contacts)
        self.users: list[NewClient] = []
        self.user_refs: dict[str, int] = {}
        self.stages = StageFinder(ctx.lookups, ctx.preset)
        self.fields = {f.code: f for f in ctx.lookups.fields}
        self.custom_targets = [(t, t[3:]) for t in columns if t.startswith("cf:")]
        self.defaults = {
            f.code: f.default for f in ctx.lookups.fields if f.default not in (None, "", [])
        }
        self.required = [f for f in ctx.lookups.fields if f.required]
        self.product_targets = [t for t in _PRODUCT_TARGETS if t in columns]
        if not ("product" in columns or "price" in columns):
            self.product_targets = []
        self.client_targets = [t for t in _CLIENT_TARGETS if t in columns]
        self.simple = [(target, column) for target, column in _SIMPLE if target in columns]
        self.link_fields = {
            f.code: f.type
            for f in ctx.lookups.fields
            if f.type in ("company", "contact") and f"cf:{f.code}" in columns
        }
        # Stages of new deals by (pipeline, stage text, status): the same answer every time.
        self._stages: dict[tuple[Any, Any, Any], StageInfo] = {}
        self._no_custom = not (self.custom_targets or self.defaults or self.required)
        self._catalog: dict[str, ProductInfo | None] = {}
        self._row_totals: dict[tuple[Any, ...], RowTotals] = {}
        self.create_defaults = (
            ("type_code", ctx.lookups.default_type),
            ("source_code", None),
            ("source_description", None),
            ("probability", None),
            ("comments", None),
            ("company_id", None),
            ("begin_date", self.today),
            ("lost_reason_id", None),
            ("lost_reason_text", None),
        )

    # --- values of a deal -------------------------------------------------------------------
    def pick(self, target: str, indexes: Sequence[int]) -> tuple[Any, int]:
        """The first value of ``target`` among the rows, and the row it is in."""
        values = self.columns.get(target)
        if values is not None:
            for index in indexes:
                if values[index] is not None:
                    return values[index], index
        return None, indexes[0]

    def header(self, target: str) -> str:
        return self.headers_of.get(target, "")

    # --- people -----------------------------------------------------------------------------
    def user(self, value: int | str | None) -> int | None:
        if value is None:
            return None
        if isinstance(value, int):
            return value
        key = norm_value(value)
        if key not in self.user_refs:
            ref = -(len(self.users) + 1)
            self.users.append(NewClient(ref, value))
            self.user_refs[key] = ref
        return self.user_refs[key]

    def clients(self, v: dict[str, Any]) -> tuple[int | None, list[int]]:
        company_name = v.get("company")
        company_emails = v.get("company_email") or []
        company_phones = v.get("company_phone") or []
        company = None
        if company_name or company_emails or company_phones:
            company = self.companies.find_or_add(company_name, company_emails, company_phones)
        people: list[tuple[str | None, str | None]] = v.get("contact") or []
        emails = v.get("contact_email") or []
        phones = v.get("contact_phone") or []
        if not people and (emails or phones):
            people = [(None, None)]
        refs: list[int] = []
        for position, (name, email) in enumerate(people):
            if email:
                own_emails = [(email, email.lower())]
                if position == 0:
                    own_emails += emails
            else:
                own_emails = emails if position == 0 else []
            ref = self.contacts.find_or_add(
                name, own_emails, phones if position == 0 else [], company
            )
            if ref not in refs:
                refs.append(ref)
        return company, refs

    # --- products ---------------------------------------------------------------------------
    def _product(self, name: str) -> ProductInfo | None:
        """The catalogue product of this name (remembered: names repeat a lot)."""
        if name not in self._catalog:
            self._catalog[name] = self.lookups.products.get(norm_value(name))
        return self._catalog[name]

    def _totals(self, products: Sequence[ProductLine]) -> tuple[Decimal, Decimal]:
        """The deal's amount and tax from its product rows (a row's totals remembered)."""
        rows = []
        for p in products:
            key = (p.price, p.quantity, p.discount_rate, p.tax_rate, p.tax_included)
            row = self._row_totals.get(key)
            if row is None:
                row = self._row_totals[key] = compute_row(
                    price=p.price,
                    quantity=p.quantity,
                    discount_type="percent",
                    discount_rate=p.discount_rate,
                    discount_sum=Decimal(0),
                    tax_rate=p.tax_rate,
                    tax_included=p.tax_included,
                )
            rows.append(row)
        return rows_total(rows)

    def product(self, index: int, values: dict[str, Any], bad: list[BadCell]) -> ProductLine | None:
        name, price = values.get("product"), values.get("price")
        if name is None and price is None:
            return None
        catalog = self._product(name) if name and self.lookups.products else None
        if price is None and catalog is not None:
            price = (catalog.price, "")
        if price is None:
            bad.append(
                BadCell(index, self.header("product"), name or "", "a product row needs a price")
            )
            return None
        if not name:
            bad.append(
                BadCell(index, self.header("price"), str(price[0]), "a product row needs a name")
            )
            return None
        tax = values.get("tax_rate")
        return ProductLine(
            product_id=catalog.id if catalog else None,
            name=name,
            price=price[0],
            quantity=values.get("quantity") or Decimal(1),
            discount_rate=values.get("discount") or Decimal(0),
            tax_rate=tax if tax is not None else (catalog.tax_rate if catalog else None),
            tax_included=catalog.tax_included if catalog else False,
            measure=values.get("measure") or (catalog.measure if catalog else "pcs"),
        )

    # --- one deal ---------------------------------------------------------------------------
    def _stage_of(
        self,
        v: dict[str, Any],
        rows: Sequence[int],
        pipeline_id: int,
        old: dict[str, Any] | None,
        bad: list[BadCell],
    ) -> StageInfo | None:
        text = v.get("stage")
        status = v.get("status")
        stage: StageInfo | None = None
        if text is not None:
            found = self.stages.stage(pipeline_id, text)
            if isinstance(found, str):
                bad.append(BadCell(self.pick("stage", rows)[1], self.header("stage"), text, found))
                return None
            stage = found
        elif old is not None:
            current = next(
                (s for s in self.lookups.stage_list(old["pipeline_id"]) if s.id == old["stage_id"]),
                None,
            )
            if current is not None and current.pipeline_id == pipeline_id:
                stage = current
            else:  # moved to another pipeline: its first stage of the same kind
                kind = current.semantics if current else Semantics.PROCESS
                stage = next(
                    (s for s in self.lookups.stage_list(pipeline_id) if s.semantics == kind),
                    self.stages.first_stage(pipeline_id),
                )
        else:
            stage = self.stages.first_stage(pipeline_id)
        if status in (Semantics.SUCCESS, Semantics.FAILURE) and (
            stage is None or stage.semantics != status
        ):
            stage = self.stages.semantic(
                pipeline_id, SUCCESS if status == Semantics.SUCCESS else FAILURE
            )
        if stage is None:
            name = self.lookups.pipelines.get(pipeline_id, "?")
            bad.append(BadCell(rows[0], "", "", f"pipeline {name!r} has no stage for this deal"))
        return stage

    def _custom(
        self, v: dict[str, Any], rows: Sequence[int], old: dict[str, Any] | None, bad: list[BadCell]
    ) -> dict[str, Any]:
        given = {code: v[target] for target, code in self.custom_targets if v[target] is not None}
        if old is not None:
            merged = dict(old.get("custom_fields") or {})
            merged.update(given)
            return merged
        if not self.defaults and not self.required:
            return given
        custom = {code: value for code, value in self.defaults.items() if code not in given}
        custom.update(given)
        for spec in self.required:
            if custom.get(spec.code) in (None, "", []):
                column = self.header(f"cf:{spec.code}") or spec.label
                bad.append(BadCell(rows[0], column, "", f"{spec.label} is required"))
        return custom

    def _settle(self, custom: dict[str, Any]) -> dict[str, Any]:
        """Link fields naming clients not in the database: found among those this import
        makes, or made (a link is a client like the deal's own)."""
        settled = dict(custom)
        for code in self.link_fields:
            value = custom.get(code)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            refs: list[Any] = []
            for item in items:
                if isinstance(item, PendingLink):
                    book = self.companies if item.kind == "company" else self.contacts
                    ref = book.find_or_add(item.name, [], [])
                    refs.append(ref if ref < 0 else str(ref))
                else:
                    refs.append(item)
            settled[code] = refs if isinstance(value, list) else refs[0]
        return settled

    def _currency(
        self,
        v: dict[str, Any],
        rows: Sequence[int],
        old: dict[str, Any] | None,
        bad: list[BadCell],
    ) -> str | None:
        currency = v.get("currency")
        if currency is not None:
            return str(currency)
        amount = v.get("amount")
        if amount is not None and amount[1]:
            code = self.lookups.currencies.get(norm_value(amount[1]))
            if code is not None:
                return code
            if self.ctx.preset.unknown_currency_base:
                return self.lookups.base_currency
            where = self.pick("amount", rows)[1]
            bad.append(
                BadCell(
                    where, self.header("amount"), str(amount[0]), f"unknown currency {amount[1]!r}"
                )
            )
            return None
        return None if old is not None else self.lookups.base_currency

    def _products(
        self, v: dict[str, Any], rows: Sequence[int], bad: list[BadCell]
    ) -> list[ProductLine]:
        if len(rows) == 1:
            line = self.product(rows[0], v, bad)
            return [] if line is None else [line]
        found = []
        for index in rows:
            values = {target: self.columns[target][index] for target in self.product_targets}
            line = self.product(index, values, bad)
            if line is not None:
                found.append(line)
        return found

    def deal(
        self, key: str, rows: Sequence[int], v: dict[str, Any], lines: Sequence[int]
    ) -> DealPlan | list[BadCell]:
        """The plan of one deal, or the reasons it cannot be imported.

        Args:
            v: the deal's values: per target, the first value its rows give.
        """
        bad: list[BadCell] = []
        existing = self.existing.get(key) if self.existing else None
        old = existing.values if existing is not None else None
        get = v.get
        title = get("title")
        if title is None and old is None:
            bad.append(BadCell(rows[0], self.header("title"), "", "a deal needs a title"))
        pipeline_id = get("pipeline")
        if pipeline_id is None:
            pipeline_id = old["pipeline_id"] if old is not None else self.ctx.default_pipeline
        stage: StageInfo | None
        if old is None:
            remembered = (pipeline_id, get("stage"), get("status"))
            stage = self._stages.get(remembered)
            if stage is None:
                before = len(bad)
                stage = self._stage_of(v, rows, pipeline_id, old, bad)
                if stage is not None and len(bad) == before:
                    self._stages[remembered] = stage
        else:
            stage = self._stage_of(v, rows, pipeline_id, old, bad)
        custom = {} if old is None and self._no_custom else self._custom(v, rows, old, bad)
        currency = get("currency")
        currency = str(currency) if currency is not None else self._currency(v, rows, old, bad)
        products: list[ProductLine] | None = None
        total = tax = Decimal("0.00")
        if self.product_targets:
            found = self._products(v, rows, bad)
            products = found if found or old is None else None
        if bad or stage is None:
            return bad
        values: dict[str, Any] = {}
        if title is not None:
            values["title"] = title
        values["pipeline_id"] = pipeline_id
        values["stage_id"] = stage.id
        semantics = stage.semantics
        closed = semantics != Semantics.PROCESS
        values["closed"] = closed
        if currency is not None:
            values["currency_code"] = currency
        if products:
            total, tax = self._totals(products)
        amount = get("amount")
        if amount is not None:
            automatic = bool(products) and amount[0] == total
            values["amount"] = amount[0]
            values["is_manual_amount"] = not automatic
            values["tax_value"] = tax if automatic else Decimal("0.00")
        elif products:
            values["amount"], values["tax_value"], values["is_manual_amount"] = total, tax, False
        elif old is None:
            values["amount"] = values["tax_value"] = Decimal("0.00")
            values["is_manual_amount"] = True
        for target, column in self.simple:
            value = get(target)
            if value is not None:
                values[column] = value
        responsible = get("responsible")
        if responsible is not None:
            values["responsible_id"] = self.user(responsible)
        if semantics == Semantics.FAILURE:
            reason = get("lost_reason")
            if reason is not None:
                reason_id = self.lookups.lost_reasons.get(norm_value(reason))
                values["lost_reason_id"] = reason_id
                values["lost_reason_text"] = None if reason_id is not None else reason
        elif old is None or old["lost_reason_id"] is not None or old["lost_reason_text"]:
            values["lost_reason_id"] = None
            values["lost_reason_text"] = None
        contacts: list[int] | None = None
        if self.client_targets:
            company, contacts = self.clients(v)
            if company is not None or old is None:
                values["company_id"] = company
            if not contacts and old is not None:
                contacts = None
        if self.link_fields:
            custom = self._settle(custom)
        values["custom_fields"] = custom
        if old is None:
            return self._new(key, lines[rows[0]], values, contacts, products, closed)
        return self._update(existing, key, lines[rows[0]], values, contacts, products, closed)

    def _new(
        self,
        key: str,
        line: int,
        values: dict[str, Any],
        contacts: list[int] | None,
        products: list[ProductLine] | None,
        closed: bool,
    ) -> DealPlan:
        for name, default in self.create_defaults:
            if name not in values:
                values[name] = default
        if "responsible_id" not in values:
            values["responsible_id"] = self.ctx.user_id
        if "close_date" not in values:
            values["close_date"] = self.today if closed else self.close_after
        if "is_repeat" not in values:
            company = values["company_id"]
            won = self.lookups.won_contacts
            values["is_repeat"] = (
                company is not None and company in self.lookups.won_companies
            ) or any(ref in won for ref in contacts or ())
        return DealPlan(line, key, None, values, contacts or [], products or [], [])

    def _update(
        self,
        existing: Existing | None,
        key: str,
        line: int,
        values: dict[str, Any],
        contacts: list[int] | None,
        products: list[ProductLine] | None,
        closed: bool,
    ) -> DealPlan:
        assert existing is not None
        old = existing.values
        if closed and not old["closed"] and "close_date" not in values:
            values["close_date"] = self.today
        changed = {name: value for name, value in values.items() if old.get(name) != value}
        changes = [_LABELS[name] for name in changed if name in _LABELS]
        new_custom = values.get("custom_fields") or {}
        old_custom = old.get("custom_fields") or {}
        for code in sorted(set(new_custom) | set(old_custom)):
            if new_custom.get(code) != old_custom.get(code):
                known = self.fields.get(code)
                changes.append(known.label if known else code)
        if contacts is not None and contacts == existing.contacts:
            contacts = None
        if contacts is not None:
            changes.append("contacts")
        if products is not None and [p.key() for p in products] == existing.products:
            products = None
        if products is not None:
            changes.append("products")
        return DealPlan(
            line, key, existing, changed, contacts, products, list(dict.fromkeys(changes))
        )


_SIMPLE = (
    ("type", "type_code"),
    ("source", "source_code"),
    ("source_description", "source_description"),
    ("probability", "probability"),
    ("comments", "comments"),
    ("begin_date", "begin_date"),
    ("close_date", "close_date"),
    ("repeat", "is_repeat"),
)
_CLIENT_TARGETS = (
    "company",
    "company_email",
    "company_phone",
    "contact",
    "contact_email",
    "contact_phone",
)
_LABELS = {
    "title": "title",
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "type_code": "type",
    "source_code": "source",
    "source_description": "source details",
    "amount": "amount",
    "currency_code": "currency",
    "probability": "probability",
    "company_id": "company",
    "responsible_id": "responsible",
    "begin_date": "begin date",
    "close_date": "close date",
    "comments": "comments",
    "is_repeat": "repeat",
    "lost_reason_id": "lost reason",
    "lost_reason_text": "lost reason",
}
