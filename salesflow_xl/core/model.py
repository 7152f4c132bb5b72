"""The records of a one-person sales process.

Records are frozen: a change returns a new object (``dataclasses.replace``). Field names are the
column names of the matching DataFrame (see :mod:`salesflow_xl.core.dataset`); the workbook schema
maps each to a header, format and width. Money is float64 in the business's one currency; rates are
fractions (0.2 means 20 %); dates are ``datetime.date``, stage-log times ``datetime.datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from salesflow_xl.core.errors import InvalidArgumentError, PipelineError
from salesflow_xl.core.i18n import W_, _

Outcome = Literal["open", "won", "lost"]
DealStatus = Outcome

DEAL_STATUSES: tuple[DealStatus, ...] = ("open", "won", "lost")
#: The default lists (names marked for translation: a workbook in another language is made
#: with them translated, see :func:`salesflow_xl.core.i18n.workbook_name`).
ACTIVITY_TYPES: tuple[str, ...] = (
    W_("Call"),
    W_("E-mail"),
    W_("Meeting"),
    W_("Demo"),
    W_("Proposal"),
    W_("Task"),
)
LOST_REASONS: tuple[str, ...] = (
    W_("Price"),
    W_("Timing"),
    W_("Competitor"),
    W_("No budget"),
    W_("No response"),
    W_("Not a fit"),
)
CHANNELS: tuple[str, ...] = (
    W_("Referral"),
    W_("Website"),
    W_("LinkedIn"),
    W_("Google Ads"),
    W_("Events"),
    W_("Newsletter"),
)


#: The longest follow-up cadence a stage takes (ten years): a longer one would put follow-ups
#: past the last day Excel shows.
MAX_FOLLOW_UP_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the sales pipeline.

    Attributes:
        name: shown in the workbook and the reports ("Negotiation").
        probability: chance, as a fraction, that a deal in this stage is eventually won; used for
            the weighted pipeline when the deal has no probability of its own.
        rotting_days: an open deal untouched for more days than this is "rotting"; None never rots.
        outcome: "open" for working stages, "won" / "lost" for the two closing stages.
        follow_up_days: a deal entering this stage, or with an activity logged in it, is due
            for its next follow-up this many days later; None sets no date.
    """

    name: str
    probability: float
    rotting_days: int | None = None
    outcome: Outcome = "open"
    follow_up_days: int | None = None


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The ordered stages a deal moves through: open stages in funnel order, then exactly one
    "won" and one "lost" stage. Stage names match case- and space-insensitively."""

    stages: tuple[Stage, ...]
    _by_key: dict[str, Stage] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        names = [_key(s.name) for s in self.stages]
        if len(set(names)) != len(names):
            raise PipelineError(_("stage names must be unique"))
        if any(not s.name.strip() for s in self.stages):
            raise PipelineError(_("every stage needs a name"))
        for s in self.stages:
            if not 0.0 <= s.probability <= 1.0:
                raise PipelineError(
                    _("stage {stage}: probability must be in [0, 1], got {value}").format(
                        stage=repr(s.name), value=repr(s.probability)
                    )
                )
            if s.follow_up_days is not None and not 0 < s.follow_up_days <= MAX_FOLLOW_UP_DAYS:
                raise PipelineError(
                    _(
                        "stage {stage}: follow up after days must be from 1 to {most}, got {value}"
                    ).format(
                        stage=repr(s.name), most=MAX_FOLLOW_UP_DAYS, value=repr(s.follow_up_days)
                    )
                )
            if s.rotting_days is not None and s.rotting_days <= 0:
                raise PipelineError(
                    _("stage {stage}: rotting days must be > 0, got {value}").format(
                        stage=repr(s.name), value=repr(s.rotting_days)
                    )
                )
        outcomes = [s.outcome for s in self.stages]
        if outcomes.count("won") != 1 or outcomes.count("lost") != 1:
            raise PipelineError(_("a pipeline needs exactly one won and one lost stage"))
        if "open" not in outcomes:
            raise PipelineError(_("a pipeline needs at least one open stage"))
        if outcomes != ["open"] * (len(outcomes) - 2) + ["won", "lost"]:
            raise PipelineError(
                _("the stages must be in order: the open ones, then won, then lost")
            )
        object.__setattr__(self, "_by_key", dict(zip(names, self.stages, strict=True)))

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        """Working stages in funnel order."""
        return tuple(s for s in self.stages if s.outcome == "open")

    @property
    def won(self) -> Stage:
        return next(s for s in self.stages if s.outcome == "won")

    @property
    def lost(self) -> Stage:
        return next(s for s in self.stages if s.outcome == "lost")

    @property
    def funnel(self) -> tuple[Stage, ...]:
        """The stages a winning deal passes through: open stages, then the won stage."""
        return (*self.open_stages, self.won)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def find(self, name: str) -> Stage | None:
        """The stage called ``name`` (ignoring case and extra spaces), or None."""
        return self._by_key.get(_key(name))

    def stage(self, name: str) -> Stage:
        """The stage called ``name``; raises InvalidArgumentError naming the stages otherwise."""
        found = self.find(name) if isinstance(name, str) else None
        if found is None:
            raise InvalidArgumentError(
                "stage", name, _("one of {choices}").format(choices=", ".join(self.names))
            )
        return found

    def rank(self, name: str) -> int | None:
        """Position in the funnel (0 = first open stage, won = last); None for the lost stage."""
        stage = self.stage(name)
        return None if stage.outcome == "lost" else self.funnel.index(stage)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


DEFAULT_PIPELINE = Pipeline(
    (
        Stage(W_("Lead acquisition"), 0.10, rotting_days=14, follow_up_days=3),
        Stage(W_("Nurturing"), 0.30, rotting_days=21, follow_up_days=7),
        Stage(W_("Negotiation"), 0.60, rotting_days=14, follow_up_days=3),
        Stage(W_("Closed won"), 1.0, outcome="won"),
        Stage(W_("Closed lost"), 0.0, outcome="lost"),
    )
)


@dataclass(frozen=True, slots=True)
class Customer:
    """A person or company the business sells to.

    Attributes:
        id: stable key ("C0001").
        segment: market segment ("Retail", "Healthcare" …).
        channel: how the customer first found the business ("Referral", "Google Ads" …).
        campaign: the campaign that brought them in, if any.
        first_touch: date of the first contact.
        consent: marketing consent as the workbook writes it: its word for yes, no or unknown
            (blank: unknown); only "yes" may be sent marketing.
        consent_date: the day consent was given or refused.
        consent_source: how it was given ("web form", "signed order form").
        source: where the contact's data came from ("trade fair card", "HubSpot export").
    """

    id: str
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    segment: str | None = None
    channel: str | None = None
    campaign: str | None = None
    first_touch: date | None = None
    consent: str | None = None
    consent_date: date | None = None
    consent_source: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Deal:
    """One sales opportunity with one customer.

    Attributes:
        value: expected revenue if won, in the business's currency.
        stage: current stage name; ``status`` is its outcome ("open", "won", "lost").
        created: the day the deal entered the pipeline.
        stage_entered: the day it entered its current stage.
        probability: the deal's own win chance as a fraction; None uses the stage's.
        next_follow_up: the day the next contact is due.
        last_activity: the day of the last logged activity (resets rotting).
        closed: the day it was won or lost; None while open.
        lost_reason: why it was lost (required when lost).
    """

    id: str
    customer_id: str
    title: str
    value: float
    stage: str
    status: DealStatus
    created: date
    stage_entered: date
    expected_close: date | None = None
    probability: float | None = None
    next_follow_up: date | None = None
    last_activity: date | None = None
    closed: date | None = None
    lost_reason: str | None = None
    channel: str | None = None
    campaign: str | None = None


@dataclass(frozen=True, slots=True)
class StageEvent:
    """One row of the append-only stage log: a deal moved ``from_stage`` → ``to_stage``.

    ``from_stage`` is None for the event that creates the deal in its first stage.
    """

    timestamp: datetime
    deal_id: str
    from_stage: str | None
    to_stage: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """A call, e-mail, meeting or task, planned (``due``) and possibly ``done``."""

    id: str
    deal_id: str | None
    customer_id: str | None
    type: str
    due: date
    done: date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    """Marketing spend in one channel over a period; ``name`` is its key on deals and customers."""

    name: str
    channel: str
    start: date
    end: date
    spend: float


@dataclass(frozen=True, slots=True)
class Order:
    """One purchase by a customer (the input of RFM, cohorts and probabilistic CLV)."""

    id: str
    customer_id: str
    date: date
    amount: float


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    """A row of the Templates sheet: the e-mail drafted for a follow-up due.

    Attributes:
        name: the template's name ("Nurturing follow-up").
        subject, body: the text, with placeholders ``{name}``, ``{company}``, ``{deal}``,
            ``{value}``, ``{stage}`` and ``{due}`` (see :mod:`salesflow_xl.actions.drafts`).
        stage: the stage whose deals it is for; None for any stage (and follow-ups without a
            deal) that has no template of its own.
        marketing: a marketing e-mail: drafted only for customers whose consent is yes.
    """

    name: str
    subject: str
    body: str
    stage: str | None = None
    marketing: bool = False


@dataclass(frozen=True, slots=True)
class PrivacyEntry:
    """A row of the append-only Privacy log: one customer's personal data erased.

    Attributes:
        timestamp: when it was erased.
        customer_id: whose (the ID stays: the deals and orders still refer to it).
        erased: what was erased, in words ("name, e-mail, phone; 3 activity notes"), never
            the data itself.
        reason: why ("erasure request", "retention: inactive since 2023-12-31").
    """

    timestamp: datetime
    customer_id: str
    erased: str
    reason: str


SEGMENTS: tuple[str, ...] = (
    W_("Retail"),
    W_("Hospitality"),
    W_("Professional services"),
    W_("Other"),
)


@dataclass(frozen=True, slots=True)
class Lists:
    """The allowed values of the workbook's drop-down columns."""

    segments: tuple[str, ...] = SEGMENTS
    channels: tuple[str, ...] = CHANNELS
    lost_reasons: tuple[str, ...] = LOST_REASONS
    activity_types: tuple[str, ...] = ACTIVITY_TYPES


DEFAULT_LISTS = Lists()


@dataclass(frozen=True, slots=True)
class Settings:
    """Workbook-wide assumptions.

    Attributes:
        as_of: the date every "days since", "due" and "rotting" figure is computed at, and the
            end of the period whose closed deals count.
        as_of_pinned: True when the workbook fixes ``as_of``; False when it follows the
            calendar (its as-of cell is blank and ``as_of`` is the day it was read).
        retention_months: expected customer lifetime used by the simple CLV, in months.
        gross_margin: fraction of revenue kept after direct costs.
        annual_discount_rate: yearly rate used to discount future margin in CLV.
        currency: the symbol money amounts are shown with ("¥", "$"; "" for none).
    """

    as_of: date
    retention_months: float = 24.0
    gross_margin: float = 1.0
    annual_discount_rate: float = 0.0
    as_of_pinned: bool = True
    currency: str = ""
