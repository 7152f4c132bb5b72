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
from salesflow_xl.core import limits
from salesflow_xl.core.dataset import SalesData, to_records
from salesflow_xl.core.errors import InvalidArgumentError, SalesflowError
from salesflow_xl.core.model import Campaign, Pipeline, Stage

#: Each list of the Lists sheet → the (table, field) pairs whose values come from it (a test
#: holds this equal to the workbook schema's drop-downs).
LIST_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "segments": (("customers", "segment"),),
    "channels": (("customers", "channel"), ("deals", "channel"), ("campaigns", "channel")),
    "lost_reasons": (("deals", "lost_reason"),),
    "activity_types": (("activities", "type"),),
}
#: What one value of each list is called.
LIST_NOUNS: dict[str, str] = {
    "segments": "segment",
    "channels": "channel",
    "lost_reasons": "lost reason",
    "activity_types": "activity type",
}
#: Lists whose values have their own Dashboard rows and chart series.
LAID_OUT = frozenset({"segments", "channels"})
#: Each table's records in words (singular, plural) and the field that names a record.
RECORDS: dict[str, tuple[str, str, str]] = {
    "customers": ("customer", "customers", "id"),
    "deals": ("deal", "deals", "id"),
    "campaigns": ("campaign", "campaigns", "name"),
    "activities": ("activity", "activities", "id"),
    "stage_log": ("stage-log row", "stage-log rows", "deal_id"),
}


# -- words ----------------------------------------------------------------------------------------


def count(number: int, table: str) -> str:
    """``number`` records of ``table`` in words: "1 deal", "7 deals"."""
    one, many, _ = RECORDS[table]
    return f"{number:,} {one if number == 1 else many}"


def joined(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


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
        raise InvalidArgumentError(argument, value, "text that is not blank")
    return text


def probability(argument: str, value: float) -> float:
    """A win probability as a fraction from 0 to 1 (0.6 is 60 %)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidArgumentError(argument, value, "a fraction from 0 to 1 (0.6 = 60 %)")
    return float(value)


# -- campaigns ------------------------------------------------------------------------------------


def _campaign_position(data: SalesData, campaign: str) -> int:
    chosen = pick(campaign, tuple(data.campaigns["name"]), "campaign")
    return int((data.campaigns["name"] == chosen).to_numpy().nonzero()[0][0])


def _free_campaign_name(data: SalesData, new: str, keep: int | None = None) -> None:
    for position, existing in enumerate(data.campaigns["name"]):
        if position != keep and fold(existing) == fold(new):
            raise InvalidArgumentError("name", new, f"a name no other campaign has ({existing!r})")


def _campaign(campaign: Campaign) -> Campaign:
    """``campaign`` checked: a name, a channel, a spend, an end not before its start."""
    limits.amount("spend", campaign.spend)
    limits.day("start", campaign.start)
    limits.day("end", campaign.end)
    if campaign.end < campaign.start:
        raise InvalidArgumentError("end", campaign.end, f"on or after the start ({campaign.start})")
    return campaign


def add_campaign(
    data: SalesData, campaign: str, channel: str, spend: float, start: date, end: date
) -> Changes:
    """A new row of the Campaigns table."""
    new = Campaign(
        name=name("name", campaign),
        channel=pick(channel, data.lists.channels, "channel"),
        start=start,
        end=end,
        spend=limits.amount("spend", spend),
    )
    _free_campaign_name(data, new.name)
    _campaign(new)
    changes = Changes(relayout=True)
    changes.append(new)
    changes.say(
        f"Added campaign {new.name!r} ({new.channel}, spend {money(new.spend)}, "
        f"{new.start} – {new.end})."
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
            f"campaign {campaign!r}: nothing to change (give a name, channel, spend, start or end)"
        )
    (before,) = to_records(data.campaigns.iloc[[position]], Campaign)
    after = dataclasses.replace(
        before,
        name=before.name if new_name is None else name("name", new_name),
        channel=before.channel
        if channel is None
        else pick(channel, data.lists.channels, "channel"),
        spend=before.spend if spend is None else limits.amount("spend", spend),
        start=start or before.start,
        end=end or before.end,
    )
    _free_campaign_name(data, after.name, keep=position)
    _campaign(after)
    changes = Changes()
    values = {f: v for f, v in dataclasses.asdict(after).items() if getattr(before, f) != v}
    if not values:
        changes.say(f"Campaign {before.name!r} has these values already: nothing changed.")
        return changes
    changes.update("campaigns", position, values)
    shown = {"spend": money, "start": str, "end": str, "channel": str}
    edits = [
        f"{f} {shown[f](getattr(before, f))} → {shown[f](v)}"
        for f, v in values.items()
        if f in shown
    ]
    if edits:
        changes.say(f"Updated campaign {before.name!r}: {', '.join(edits)}.")
    if "name" in values:
        changes.relayout = True
        counts = _rewrite(
            data,
            changes,
            (("deals", "campaign"), ("customers", "campaign")),
            before.name,
            after.name,
        )
        changes.say(f"Renamed campaign {before.name!r} → {after.name!r}: {counts}.")
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
        return "nothing referred to it"
    return joined([count(len(p), t) for t, p in updated.items()]) + " updated"


# -- stages ---------------------------------------------------------------------------------------


def _stages_changed(stages: Sequence[tuple[Stage, int | None]], changes: Changes) -> Pipeline:
    """The Stages table rewritten as ``stages`` ((stage, position read from or None)): the new
    pipeline, checked as the workbook will check it."""
    try:
        pipeline = Pipeline(tuple(stage for stage, _ in stages))
    except SalesflowError as error:
        raise SalesflowError(f"the stages would not make a pipeline: {error}") from error
    changes.stages = tuple(StageRow(stage, source) for stage, source in stages)
    return pipeline


def _order(pipeline: Pipeline) -> str:
    """The pipeline in words: "Stages: A → B → Closed won / Closed lost"."""
    opened = " → ".join(s.name for s in pipeline.open_stages)
    return f"Stages: {opened} → {pipeline.won.name} / {pipeline.lost.name}."


def _open_stage(
    data: SalesData,
    stage: str,
    argument: str = "stage",
    why: str = "the won and lost stages stay last",
) -> Stage:
    found = data.pipeline.find(stage) if isinstance(stage, str) else None
    if found is None:
        raise InvalidArgumentError(argument, stage, "one of " + ", ".join(data.pipeline.names))
    if found.outcome != "open":
        opened = ", ".join(s.name for s in data.pipeline.open_stages)
        raise InvalidArgumentError(
            argument,
            stage,
            f"an open stage ({opened}): {why}",
        )
    return found


def _insert_at(data: SalesData, after: str | None, first: bool) -> int:
    """Where a stage goes among the open stages: first, after ``after``, or last."""
    if first and after is not None:
        raise InvalidArgumentError("--after", after, "left out when --first is given")
    if first:
        return 0
    opened = list(data.pipeline.open_stages)
    if after is None:
        return len(opened)
    return opened.index(_open_stage(data, after, "after")) + 1


def _place(position: int, pipeline: Pipeline) -> str:
    return "first" if position == 0 else f"after {pipeline.open_stages[position - 1].name!r}"


def _rotting(days: int | None) -> int | None:
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise InvalidArgumentError("rotting days", days, "a whole number of days ≥ 1")
    return days


def add_stage(
    data: SalesData,
    stage: str,
    stage_probability: float,
    rotting_days: int | None = None,
    after: str | None = None,
    first: bool = False,
) -> Changes:
    """A new open stage: last among the open stages, first, or after ``after``. The won and
    lost stages stay last."""
    new = Stage(
        name("stage", stage), probability("probability", stage_probability), _rotting(rotting_days)
    )
    if (existing := data.pipeline.find(new.name)) is not None:
        raise InvalidArgumentError("stage", stage, f"a new stage name ({existing.name!r} exists)")
    at = _insert_at(data, after, first)
    rows: list[tuple[Stage, int | None]] = [(s, i) for i, s in enumerate(data.pipeline.stages)]
    rows.insert(at, (new, None))
    changes = Changes(relayout=True)
    pipeline = _stages_changed(rows, changes)
    rots = f"rots after {new.rotting_days} idle days" if new.rotting_days else "never rots"
    changes.say(
        f"Added stage {new.name!r} {_place(at, data.pipeline)} "
        f"(probability {percent(new.probability)}, {rots})."
    )
    changes.say(_order(pipeline))
    return changes


def rename_stage(data: SalesData, old: str, new: str) -> Changes:
    """Rename a stage; its deals and every stage-log row naming it are rewritten, so the stage
    history keeps its meaning."""
    stage = data.pipeline.stage(old)
    new_name = name("new name", new)
    other = data.pipeline.find(new_name)
    if other is not None and other != stage:
        raise InvalidArgumentError("new name", new, f"a name no other stage has ({other.name!r})")
    if new_name == stage.name:
        changes = Changes()
        changes.say(f"Stage {stage.name!r} has this name already: nothing changed.")
        return changes
    renamed = dataclasses.replace(stage, name=new_name)
    rows = [(renamed if s == stage else s, i) for i, s in enumerate(data.pipeline.stages)]
    changes = Changes(relayout=True)
    _stages_changed(rows, changes)
    fields = (("deals", "stage"), ("stage_log", "from_stage"), ("stage_log", "to_stage"))
    counts = _rewrite_stage(data, changes, fields, stage.name, new_name)
    changes.say(f"Renamed stage {stage.name!r} → {new_name!r}: {counts}.")
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
    for table, _ in by_row:
        tables[table] += 1
    return joined([count(n, t) for t, n in tables.items()]) + " updated"


def move_stage(
    data: SalesData, stage: str, after: str | None = None, first: bool = False
) -> Changes:
    """Reorder the open stages: put ``stage`` first or after ``after``."""
    moving = _open_stage(data, stage)
    if first == (after is not None):
        raise InvalidArgumentError("position", after, "either --after STAGE or --first")
    opened = [s for s in data.pipeline.open_stages if s != moving]
    at = 0
    if after is not None:
        target = _open_stage(data, after, "after")
        if target == moving:
            raise InvalidArgumentError("after", after, f"another stage than {moving.name!r}")
        at = opened.index(target) + 1
    place = "first" if at == 0 else f"after {opened[at - 1].name!r}"
    order = [*opened[:at], moving, *opened[at:], data.pipeline.won, data.pipeline.lost]
    changes = Changes()
    if order == list(data.pipeline.stages):
        changes.say(f"Stage {moving.name!r} is {place} already: nothing changed.")
        return changes
    changes.relayout = True
    pipeline = _stages_changed([(s, data.pipeline.stages.index(s)) for s in order], changes)
    changes.say(f"Moved stage {moving.name!r} {place}.")
    changes.say(_order(pipeline))
    return changes


def set_stage(
    data: SalesData,
    stage: str,
    stage_probability: float | None = None,
    rotting_days: int | None = None,
    never_rots: bool = False,
) -> Changes:
    """Set an open stage's win probability, or the idle days after which its deals rot (or
    that they never rot)."""
    before = _open_stage(
        data, stage, why="a won deal counts 100 %, a lost one 0 %, and closed deals do not rot"
    )
    if rotting_days is not None and never_rots:
        raise InvalidArgumentError("--rotting-days", rotting_days, "left out with --never-rots")
    if stage_probability is None and rotting_days is None and not never_rots:
        raise SalesflowError(
            f"stage {stage!r}: nothing to change (give a probability, rotting days or never rots)"
        )
    after = dataclasses.replace(
        before,
        probability=before.probability
        if stage_probability is None
        else probability("probability", stage_probability),
        rotting_days=None if never_rots else _rotting(rotting_days) or before.rotting_days,
    )
    changes = Changes()
    if after == before:
        changes.say(f"Stage {before.name!r} has these values already: nothing changed.")
        return changes
    rows = [(after if s == before else s, i) for i, s in enumerate(data.pipeline.stages)]
    _stages_changed(rows, changes)
    edits = []
    if after.probability != before.probability:
        edits.append(f"probability {percent(before.probability)} → {percent(after.probability)}")
    if after.rotting_days != before.rotting_days:
        days = lambda d: "never" if d is None else f"{d} days"  # noqa: E731
        edits.append(f"rotting {days(before.rotting_days)} → {days(after.rotting_days)}")
    changes.say(f"Stage {before.name!r}: {', '.join(edits)}.")
    return changes


def remove_stage(data: SalesData, stage: str) -> Changes:
    """Remove an open stage no deal is in and no stage-log row names; refused with the counts
    while any does (the stage history must stay valid)."""
    removing = _open_stage(data, stage, why="a pipeline keeps its won and lost stages")
    deals = int((data.deals["stage"] == removing.name).sum())
    log = data.stage_log
    logged = int(((log["from_stage"] == removing.name) | (log["to_stage"] == removing.name)).sum())
    if deals or logged:
        used = [count(n, t) for t, n in (("deals", deals), ("stage_log", logged)) if n]
        raise SalesflowError(
            f"stage {removing.name!r} is in use ({joined(used)}); a stage with history stays: "
            "rename it instead, or move its deals and keep it"
        )
    if len(data.pipeline.open_stages) == 1:
        raise SalesflowError(
            f"stage {removing.name!r} is the only open stage; a pipeline needs one"
        )
    rows = [(s, i) for i, s in enumerate(data.pipeline.stages) if s != removing]
    changes = Changes(relayout=True)
    pipeline = _stages_changed(rows, changes)
    changes.say(f"Removed stage {removing.name!r}.")
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
        raise InvalidArgumentError("list", kind, f"one of {kinds}")
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
    noun = LIST_NOUNS[key]
    new = name(noun, value)
    for existing in values:
        if fold(existing) == fold(new):
            raise InvalidArgumentError(noun, value, f"a value not on the list yet ({existing!r})")
    changes = Changes()
    _list_changed(changes, key, (*values, new))
    changes.say(f"Added {noun} {new!r} to the Lists sheet ({len(values) + 1} {noun}s).")
    return changes


def rename_list_value(data: SalesData, key: str, old: str, new: str) -> Changes:
    """Rename a list value, and every customer, deal, campaign or activity that uses it."""
    values = getattr(data.lists, key)
    noun = LIST_NOUNS[key]
    current = pick(old, values, noun)
    renamed = name("new name", new)
    for existing in values:
        if existing != current and fold(existing) == fold(renamed):
            raise InvalidArgumentError(
                "new name", new, f"a {noun} not on the list yet ({existing!r} is)"
            )
    changes = Changes()
    if renamed == current:
        changes.say(f"The {noun} {current!r} has this name already: nothing changed.")
        return changes
    _list_changed(changes, key, [renamed if v == current else v for v in values])
    counts = _rewrite(data, changes, LIST_FIELDS[key], current, renamed)
    changes.say(f"Renamed {noun} {current!r} → {renamed!r}: {counts}.")
    return changes


#: How many of the records using a value a refusal names.
SHOWN = 5


def remove_list_value(data: SalesData, key: str, value: str) -> Changes:
    """Remove a list value no record uses; refused while any does, naming where."""
    values = getattr(data.lists, key)
    noun = LIST_NOUNS[key]
    current = pick(value, values, noun)
    used = _uses(data, key, current)
    if used:
        where = []
        for table, ids in used.items():
            more = f" and {len(ids) - SHOWN:,} more" if len(ids) > SHOWN else ""
            where.append(f"{count(len(ids), table)} ({', '.join(ids[:SHOWN])}{more})")
        raise SalesflowError(
            f"{noun} {current!r} is in use by {joined(where)}: change those first, or rename "
            f"the {noun} instead"
        )
    changes = Changes()
    _list_changed(changes, key, [v for v in values if v != current])
    changes.say(f"Removed {noun} {current!r} from the Lists sheet ({len(values) - 1} left).")
    return changes
