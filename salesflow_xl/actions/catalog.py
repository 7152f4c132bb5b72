"""What the workbook's lists are made of: campaigns, the pipeline's stages and the Lists
sheet's values (segments, channels, lost reasons, activity types), added, renamed, reordered
and removed.

A rename rewrites every record that refers to the old name, so the workbook stays valid: a
stage's deals and its stage-log rows (the history keeps its meaning), a campaign's deals and
customers, a list value's customers, deals, campaigns or activities. A removal is refused while
anything still uses the value. Names match ignoring case and extra spaces, as everywhere else.
Adding or renaming what the Dashboard lays out (stages, campaigns, channels, segments) asks the
gateway to lay it out anew (``Changes.relayout``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from salesflow_xl.actions.changes import Changes, StageRow
from salesflow_xl.actions.customer_match import fold
from salesflow_xl.actions.deals import pick
from salesflow_xl.core import i18n, limits
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.i18n import N_, _
from salesflow_xl.core.model import MAX_FOLLOW_UP_DAYS, Campaign, Pipeline, Stage

#: Each list of the Lists sheet → the (table, field) pairs whose values come from it (a test
#: holds this equal to the workbook schema's drop-downs).
LIST_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "segments": (("customers", "segment"),),
    "channels": (("customers", "channel"), ("deals", "channel"), ("campaigns", "channel")),
    "lost_reasons": (("deals", "lost_reason"),),
    "activity_types": (("activities", "type"),),
}
#: What one value of each list is called (also how the command line names the list; in
#: messages translated where shown).
LIST_NOUNS: dict[str, str] = {
    "segments": N_("segment"),
    "channels": N_("channel"),
    "lost_reasons": N_("lost reason"),
    "activity_types": N_("activity type"),
}
#: What the values of each list are called, in messages.
LIST_PLURALS: dict[str, str] = {
    "segments": N_("segments"),
    "channels": N_("channels"),
    "lost_reasons": N_("lost reasons"),
    "activity_types": N_("activity types"),
}
#: Lists whose values have their own Dashboard rows and chart series.
LAID_OUT = frozenset({"segments", "channels"})
#: Each table's records counted in words, one and several ("1 deal", "7 deals"; {count} the
#: number; translated where shown), and the field that names a record.
RECORDS: dict[str, tuple[str, str, str]] = {
    "customers": (N_("{count} customer"), N_("{count} customers"), "id"),
    "deals": (N_("{count} deal"), N_("{count} deals"), "id"),
    "campaigns": (N_("{count} campaign"), N_("{count} campaigns"), "name"),
    "activities": (N_("{count} activity"), N_("{count} activities"), "id"),
    "stage_log": (N_("{count} stage-log row"), N_("{count} stage-log rows"), "deal_id"),
}


# -- words ----------------------------------------------------------------------------------------


def count(number: int, table: str) -> str:
    """``number`` records of ``table`` in words: "1 deal", "7 deals"."""
    one, many, _field = RECORDS[table]
    return _(one if number == 1 else many).format(count=f"{number:,}")


def joined(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) == 1:
        return parts[0]
    return _("{items} and {last}").format(items=_(", ").join(parts[:-1]), last=parts[-1])


def clauses(parts: Sequence[str]) -> str:
    """Changes in a list: "probability 30 % → 50 %, rotting 21 days → never"."""
    text = parts[0]
    for part in parts[1:]:
        text = _("{clauses}, {clause}").format(clauses=text, clause=part)
    return text


def money(value: float) -> str:
    """An amount as the reports show it: 1,200 (cents only when there are some)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def percent(value: float) -> str:
    """A probability as a percentage: 0.6 → "60 %", 0.355 → "35.5 %"."""
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + " %"


def name(argument: str, value: str) -> str:
    """A name a cell can hold, without surrounding spaces; blank is refused."""
    text = limits.text(argument, value).strip()
    if not text:
        raise InvalidArgumentError(argument, value, _("text that is not blank"))
    return text


def probability(argument: str, value: float) -> float:
    """A win probability as a fraction from 0 to 1 (0.6 is 60 %)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidArgumentError(argument, value, _("a fraction from 0 to 1 (0.6 = 60 %)"))
    return float(value)


# -- campaigns ------------------------------------------------------------------------------------


def _campaign_position(data: SalesData, campaign: str) -> int:
    chosen = pick(campaign, tuple(data.campaigns["name"]), _("campaign"))
    return int((data.campaigns["name"] == chosen).to_numpy().nonzero()[0][0])


def _free_campaign_name(data: SalesData, new: str, keep: int | None = None) -> None:
    for position, existing in enumerate(data.campaigns["name"]):
        if position != keep and fold(existing) == fold(new):
            raise InvalidArgumentError(
                _("name"),
                new,
                _("a name no other campaign has ({campaign})").format(campaign=repr(existing)),
            )


def _campaign(campaign: Campaign) -> Campaign:
    """``campaign`` checked: a name, a channel, a spend, an end not before its start."""
    limits.amount(_("spend"), campaign.spend)
    limits.day(_("start"), campaign.start)
    limits.day(_("end"), campaign.end)
    if campaign.end < campaign.start:
        raise InvalidArgumentError(
            _("end"),
            campaign.end,
            _("on or after the start ({start})").format(start=campaign.start),
        )
    return campaign


def add_campaign(
    data: SalesData, campaign: str, channel: str, spend: float, start: date, end: date
) -> Changes:
    """A new row of the Campaigns table."""
    new = Campaign(
        name=name(_("name"), campaign),
        channel=pick(channel, data.lists.channels, _("channel")),
        start=start,
        end=end,
        spend=limits.amount(_("spend"), spend),
    )
    _free_campaign_name(data, new.name)
    _campaign(new)
    changes = Changes(relayout=True)
    changes.append(new)
    changes.say(
        _("Added campaign {campaign} ({channel}, spend {spend}, {start} – {end}).").format(
            campaign=repr(new.name),
            channel=new.channel,
            spend=money(new.spend),
            start=new.start,
            end=new.end,
        )
    )
    return changes


def edit_campaign(
    data: SalesData,
    campaign: str,
    new_name: str | None = None,
    channel: str | None = None,
    spend: float | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Changes:
    """Change a campaign's name, channel, spend or dates; a new name is written into every deal
    and customer the campaign brought in."""
    position = _campaign_position(data, campaign)
    if new_name is None and channel is None and spend is None and start is None and end is None:
        raise SalesflowError(
            _(
                "campaign {campaign}: nothing to change (give a name, channel, spend, start or end)"
            ).format(campaign=repr(campaign))
        )
    (before,) = to_records(data.campaigns.iloc[[position]], Campaign)
    after = dataclasses.replace(
        before,
        name=before.name if new_name is None else name(_("name"), new_name),
        channel=before.channel
        if channel is None
        else pick(channel, data.lists.channels, _("channel")),
        spend=before.spend if spend is None else limits.amount(_("spend"), spend),
        start=start or before.start,
        end=end or before.end,
    )
    _free_campaign_name(data, after.name, keep=position)
    _campaign(after)
    changes = Changes()
    values = {f: v for f, v in dataclasses.asdict(after).items() if getattr(before, f) != v}
    if not values:
        changes.say(
            _("Campaign {campaign} has these values already: nothing changed.").format(
                campaign=repr(before.name)
            )
        )
        return changes
    changes.update("campaigns", position, values)
    shown = {"spend": money, "start": str, "end": str, "channel": str}
    labels = {"spend": _("spend"), "start": _("start"), "end": _("end"), "channel": _("channel")}
    edits = [
        _("{field} {before} → {after}").format(
            field=labels[f], before=shown[f](getattr(before, f)), after=shown[f](v)
        )
        for f, v in values.items()
        if f in shown
    ]
    if edits:
        changes.say(
            _("Updated campaign {campaign}: {edits}.").format(
                campaign=repr(before.name), edits=clauses(edits)
            )
        )
    if "name" in values:
        changes.relayout = True
        counts = _rewrite(
            data,
            changes,
            (("deals", "campaign"), ("customers", "campaign")),
            before.name,
            after.name,
        )
        changes.say(
            _("Renamed campaign {old} → {new}: {counts}.").format(
                old=repr(before.name), new=repr(after.name), counts=counts
            )
        )
    return changes


def _rewrite(
    data: SalesData, changes: Changes, fields: Sequence[tuple[str, str]], old: str, new: str
) -> str:
    """Updates setting each of ``fields`` that holds ``old`` to ``new``; what was updated, in
    words ("7 deals and 163 stage-log rows updated")."""
    updated: dict[str, set[int]] = {}
    for table, field in fields:
        for position in (data.table(table)[field] == old).to_numpy().nonzero()[0]:
            changes.update(table, int(position), {field: new})
            updated.setdefault(table, set()).add(int(position))
    if not updated:
        return _("nothing referred to it")
    return _("{counts} updated").format(
        counts=joined([count(len(p), t) for t, p in updated.items()])
    )


# -- stages ---------------------------------------------------------------------------------------


def _stages_changed(stages: Sequence[tuple[Stage, int | None]], changes: Changes) -> Pipeline:
    """The Stages table rewritten as ``stages`` ((stage, position read from or None)): the new
    pipeline, checked as the workbook will check it."""
    try:
        pipeline = Pipeline(tuple(stage for stage, _source in stages))
    except SalesflowError as error:
        raise SalesflowError(
            _("the stages would not make a pipeline: {error}").format(error=error)
        ) from error
    changes.stages = tuple(StageRow(stage, source) for stage, source in stages)
    return pipeline


def _order(pipeline: Pipeline) -> str:
    """The pipeline in words: "Stages: A → B → Closed won / Closed lost"."""
    opened = " → ".join(s.name for s in pipeline.open_stages)
    return _("Stages: {open} → {won} / {lost}.").format(
        open=opened, won=pipeline.won.name, lost=pipeline.lost.name
    )


def _open_stage(
    data: SalesData,
    stage: str,
    argument: str | None = None,
    why: str = N_("the won and lost stages stay last"),
) -> Stage:
    """The open stage named ``stage``; refused (as ``argument``, default "stage") with ``why``
    (an N_-marked text) when it is the won or lost stage."""
    argument = _("stage") if argument is None else argument
    found = data.pipeline.find(stage) if isinstance(stage, str) else None
    if found is None:
        names = ", ".join(data.pipeline.names)
        raise InvalidArgumentError(argument, stage, _("one of {values}").format(values=names))
    if found.outcome != "open":
        opened = ", ".join(s.name for s in data.pipeline.open_stages)
        raise InvalidArgumentError(
            argument,
            stage,
            _("an open stage ({stages}): {why}").format(stages=opened, why=_(why)),
        )
    return found


def _insert_at(data: SalesData, after: str | None, first: bool) -> int:
    """Where a stage goes among the open stages: first, after ``after``, or last."""
    if first and after is not None:
        raise InvalidArgumentError("--after", after, _("left out when --first is given"))
    if first:
        return 0
    opened = list(data.pipeline.open_stages)
    if after is None:
        return len(opened)
    return opened.index(_open_stage(data, after, "after")) + 1


def _place(position: int, pipeline: Pipeline) -> str:
    if position == 0:
        return _("first")
    return _("after {stage}").format(stage=repr(pipeline.open_stages[position - 1].name))


def _rotting(days: int | None) -> int | None:
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise InvalidArgumentError(_("rotting days"), days, _("a whole number of days ≥ 1"))
    return days


def add_stage(
    data: SalesData,
    stage: str,
    stage_probability: float,
    rotting_days: int | None = None,
    after: str | None = None,
    first: bool = False,
    follow_up_days: int | None = None,
) -> Changes:
    """A new open stage: last among the open stages, first, or after ``after``. The won and
    lost stages stay last."""
    new = Stage(
        name(_("stage"), stage),
        probability(_("probability"), stage_probability),
        _rotting(rotting_days),
        follow_up_days=_days(_("follow up after days"), follow_up_days),
    )
    if (existing := data.pipeline.find(new.name)) is not None:
        raise InvalidArgumentError(
            _("stage"),
            stage,
            _("a new stage name ({stage} exists)").format(stage=repr(existing.name)),
        )
    at = _insert_at(data, after, first)
    rows: list[tuple[Stage, int | None]] = [(s, i) for i, s in enumerate(data.pipeline.stages)]
    rows.insert(at, (new, None))
    changes = Changes(relayout=True)
    pipeline = _stages_changed(rows, changes)
    rots = (
        _("rots after {days} idle days").format(days=new.rotting_days)
        if new.rotting_days
        else _("never rots")
    )
    changes.say(
        _("Added stage {stage} {place} (probability {probability}, {rots}).").format(
            stage=repr(new.name),
            place=_place(at, data.pipeline),
            probability=percent(new.probability),
            rots=rots,
        )
    )
    changes.say(_order(pipeline))
    return changes


def rename_stage(data: SalesData, old: str, new: str) -> Changes:
    """Rename a stage; its deals and every stage-log row naming it are rewritten, so the stage
    history keeps its meaning."""
    stage = data.pipeline.stage(old)
    new_name = name(_("new name"), new)
    other = data.pipeline.find(new_name)
    if other is not None and other != stage:
        raise InvalidArgumentError(
            _("new name"),
            new,
            _("a name no other stage has ({stage})").format(stage=repr(other.name)),
        )
    if new_name == stage.name:
        changes = Changes()
        changes.say(
            _("Stage {stage} has this name already: nothing changed.").format(
                stage=repr(stage.name)
            )
        )
        return changes
    renamed = dataclasses.replace(stage, name=new_name)
    rows = [(renamed if s == stage else s, i) for i, s in enumerate(data.pipeline.stages)]
    changes = Changes(relayout=True)
    _stages_changed(rows, changes)
    fields = (("deals", "stage"), ("stage_log", "from_stage"), ("stage_log", "to_stage"))
    counts = _rewrite_stage(data, changes, fields, stage.name, new_name)
    changes.say(
        _("Renamed stage {old} → {new}: {counts}.").format(
            old=repr(stage.name), new=repr(new_name), counts=counts
        )
    )
    return changes


def _rewrite_stage(
    data: SalesData, changes: Changes, fields: Sequence[tuple[str, str]], old: str, new: str
) -> str:
    """:func:`_rewrite` for a stage, counting each stage-log row once (its From and To stage
    are one row)."""
    by_row: dict[tuple[str, int], dict[str, str]] = {}
    for table, field in fields:
        for position in (data.table(table)[field] == old).to_numpy().nonzero()[0]:
            by_row.setdefault((table, int(position)), {})[field] = new
    for (table, position), values in sorted(by_row.items()):
        changes.update(table, position, values)
    tables = {"deals": 0, "stage_log": 0}
    for table, _position in by_row:
        tables[table] += 1
    return _("{counts} updated").format(counts=joined([count(n, t) for t, n in tables.items()]))


def move_stage(
    data: SalesData, stage: str, after: str | None = None, first: bool = False
) -> Changes:
    """Reorder the open stages: put ``stage`` first or after ``after``."""
    moving = _open_stage(data, stage)
    if first == (after is not None):
        raise InvalidArgumentError(_("position"), after, _("either --after STAGE or --first"))
    opened = [s for s in data.pipeline.open_stages if s != moving]
    at = 0
    if after is not None:
        target = _open_stage(data, after, "after")
        if target == moving:
            raise InvalidArgumentError(
                "after",
                after,
                _("another stage than {stage}").format(stage=repr(moving.name)),
            )
        at = opened.index(target) + 1
    place = _("first") if at == 0 else _("after {stage}").format(stage=repr(opened[at - 1].name))
    order = [*opened[:at], moving, *opened[at:], data.pipeline.won, data.pipeline.lost]
    changes = Changes()
    if order == list(data.pipeline.stages):
        changes.say(
            _("Stage {stage} is {place} already: nothing changed.").format(
                stage=repr(moving.name), place=place
            )
        )
        return changes
    changes.relayout = True
    pipeline = _stages_changed([(s, data.pipeline.stages.index(s)) for s in order], changes)
    changes.say(_("Moved stage {stage} {place}.").format(stage=repr(moving.name), place=place))
    changes.say(_order(pipeline))
    return changes


def set_stage(
    data: SalesData,
    stage: str,
    stage_probability: float | None = None,
    rotting_days: int | None = None,
    never_rots: bool = False,
    follow_up_days: int | None = None,
    no_follow_up: bool = False,
) -> Changes:
    """Set an open stage's win probability, the idle days after which its deals rot (or
    that they never rot), or the days after which a deal entering it is due for a follow-up
    (or that it sets no date)."""
    before = _open_stage(
        data, stage, why=N_("a won deal counts 100 %, a lost one 0 %, and closed deals do not rot")
    )
    if rotting_days is not None and never_rots:
        raise InvalidArgumentError("--rotting-days", rotting_days, _("left out with --never-rots"))
    if follow_up_days is not None and no_follow_up:
        raise InvalidArgumentError(
            "--follow-up-days", follow_up_days, _("left out with --no-follow-up")
        )
    cadence_given = follow_up_days is not None or no_follow_up
    if stage_probability is None and rotting_days is None and not never_rots and not cadence_given:
        raise SalesflowError(
            _(
                "stage {stage}: nothing to change (give a probability, rotting days or never rots)"
            ).format(stage=repr(stage))
        )
    after = dataclasses.replace(
        before,
        probability=before.probability
        if stage_probability is None
        else probability(_("probability"), stage_probability),
        rotting_days=None if never_rots else _rotting(rotting_days) or before.rotting_days,
        follow_up_days=None
        if no_follow_up
        else _days(_("follow up after days"), follow_up_days) or before.follow_up_days,
    )
    changes = Changes()
    if after == before:
        changes.say(
            _("Stage {stage} has these values already: nothing changed.").format(
                stage=repr(before.name)
            )
        )
        return changes
    rows = [(after if s == before else s, i) for i, s in enumerate(data.pipeline.stages)]
    _stages_changed(rows, changes)
    edits = []
    if after.probability != before.probability:
        edits.append(
            _("probability {before} → {after}").format(
                before=percent(before.probability), after=percent(after.probability)
            )
        )
    if after.rotting_days != before.rotting_days:
        days = lambda d: _("never") if d is None else _("{days} days").format(days=d)  # noqa: E731
        edits.append(
            _("rotting {before} → {after}").format(
                before=days(before.rotting_days), after=days(after.rotting_days)
            )
        )
    if after.follow_up_days != before.follow_up_days:
        cadence = lambda d: _("no date") if d is None else _("{days} days").format(days=d)  # noqa: E731
        edits.append(
            _("follow-up {before} → {after}").format(
                before=cadence(before.follow_up_days), after=cadence(after.follow_up_days)
            )
        )
    changes.say(_("Stage {stage}: {edits}.").format(stage=repr(before.name), edits=clauses(edits)))
    return changes


def _days(argument: str, days: int | None) -> int | None:
    """A whole number of days ≥ 1 (None: not given)."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_FOLLOW_UP_DAYS:
        raise InvalidArgumentError(
            argument,
            days,
            _("a whole number of days from 1 to {most}").format(most=MAX_FOLLOW_UP_DAYS),
        )
    return days


def remove_stage(data: SalesData, stage: str) -> Changes:
    """Remove an open stage no deal is in and no stage-log row names; refused with the counts
    while any does (the stage history must stay valid)."""
    removing = _open_stage(data, stage, why=N_("a pipeline keeps its won and lost stages"))
    deals = int((data.deals["stage"] == removing.name).sum())
    log = data.stage_log
    logged = int(((log["from_stage"] == removing.name) | (log["to_stage"] == removing.name)).sum())
    if deals or logged:
        used = [count(n, t) for t, n in (("deals", deals), ("stage_log", logged)) if n]
        raise SalesflowError(
            _(
                "stage {stage} is in use ({uses}); a stage with history stays: rename it "
                "instead, or move its deals and keep it"
            ).format(stage=repr(removing.name), uses=joined(used))
        )
    if len(data.pipeline.open_stages) == 1:
        raise SalesflowError(
            _("stage {stage} is the only open stage; a pipeline needs one").format(
                stage=repr(removing.name)
            )
        )
    rows = [(s, i) for i, s in enumerate(data.pipeline.stages) if s != removing]
    changes = Changes(relayout=True)
    pipeline = _stages_changed(rows, changes)
    changes.say(_("Removed stage {stage}.").format(stage=repr(removing.name)))
    changes.say(_order(pipeline))
    return changes


# -- the Lists sheet ------------------------------------------------------------------------------

#: What a list may be called on the command line → its key.
LIST_NAMES: dict[str, str] = {
    spelled: key
    for key, noun in LIST_NOUNS.items()
    for spelled in (key, noun, noun + "s", noun.replace(" ", "-"), noun.replace(" ", "-") + "s")
}


def list_key(kind: str) -> str:
    """The list a user names: "channel", "Channels", "lost-reason", "activity_types" …"""
    key = LIST_NAMES.get(" ".join(str(kind).replace("_", " ").split()).casefold())
    key = key or LIST_NAMES.get(str(kind).strip().casefold())
    if key is None:
        kinds = ", ".join(noun.replace(" ", "-") for noun in LIST_NOUNS.values())
        raise InvalidArgumentError(_("list"), kind, _("one of {values}").format(values=kinds))
    return key


def _uses(data: SalesData, key: str, value: str) -> dict[str, list[str]]:
    """Table → the records (IDs, campaign names) whose fields take ``value`` from list ``key``."""
    used: dict[str, list[str]] = {}
    for table, field in LIST_FIELDS[key]:
        frame = data.table(table)
        ids = frame.loc[frame[field] == value, RECORDS[table][2]].astype(str).tolist()
        if ids:
            used.setdefault(table, []).extend(ids)
    return used


def _list_changed(changes: Changes, key: str, values: Sequence[str]) -> None:
    changes.lists[key] = tuple(values)
    changes.relayout = changes.relayout or key in LAID_OUT


def add_list_value(data: SalesData, key: str, value: str) -> Changes:
    """A new value at the end of a list of the Lists sheet."""
    values = getattr(data.lists, key)
    noun = _(LIST_NOUNS[key])
    new = name(noun, value)
    for existing in values:
        if fold(existing) == fold(new):
            raise InvalidArgumentError(
                noun, value, _("a value not on the list yet ({value})").format(value=repr(existing))
            )
    changes = Changes()
    _list_changed(changes, key, (*values, new))
    changes.say(
        _("Added {noun} {value} to the {sheet} sheet ({count} {nouns}).").format(
            noun=noun,
            value=repr(new),
            sheet=i18n.workbook_name("Lists"),
            count=len(values) + 1,
            nouns=_(LIST_PLURALS[key]),
        )
    )
    return changes


def rename_list_value(data: SalesData, key: str, old: str, new: str) -> Changes:
    """Rename a list value, and every customer, deal, campaign or activity that uses it."""
    values = getattr(data.lists, key)
    noun = _(LIST_NOUNS[key])
    current = pick(old, values, noun)
    renamed = name(_("new name"), new)
    for existing in values:
        if existing != current and fold(existing) == fold(renamed):
            raise InvalidArgumentError(
                _("new name"),
                new,
                _("a {noun} not on the list yet ({value} is)").format(
                    noun=noun, value=repr(existing)
                ),
            )
    changes = Changes()
    if renamed == current:
        changes.say(
            _("The {noun} {value} has this name already: nothing changed.").format(
                noun=noun, value=repr(current)
            )
        )
        return changes
    _list_changed(changes, key, [renamed if v == current else v for v in values])
    counts = _rewrite(data, changes, LIST_FIELDS[key], current, renamed)
    changes.say(
        _("Renamed {noun} {old} → {new}: {counts}.").format(
            noun=noun, old=repr(current), new=repr(renamed), counts=counts
        )
    )
    return changes


#: How many of the records using a value a refusal names.
SHOWN = 5


def remove_list_value(data: SalesData, key: str, value: str) -> Changes:
    """Remove a list value no record uses; refused while any does, naming where."""
    values = getattr(data.lists, key)
    noun = _(LIST_NOUNS[key])
    current = pick(value, values, noun)
    used = _uses(data, key, current)
    if used:
        where = []
        for table, ids in used.items():
            records, shown = count(len(ids), table), ", ".join(ids[:SHOWN])
            where.append(
                _("{records} ({ids} and {count} more)").format(
                    records=records, ids=shown, count=f"{len(ids) - SHOWN:,}"
                )
                if len(ids) > SHOWN
                else _("{records} ({ids})").format(records=records, ids=shown)
            )
        raise SalesflowError(
            _(
                "{noun} {value} is in use by {uses}: change those first, or rename the {noun} "
                "instead"
            ).format(noun=noun, value=repr(current), uses=joined(where))
        )
    changes = Changes()
    _list_changed(changes, key, [v for v in values if v != current])
    changes.say(
        _("Removed {noun} {value} from the {sheet} sheet ({count} left).").format(
            noun=noun,
            value=repr(current),
            sheet=i18n.workbook_name("Lists"),
            count=len(values) - 1,
        )
    )
    return changes
