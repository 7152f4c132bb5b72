"""The workbook's Excel tables, column by column: Stages and the six data tables with their
headers, kinds, drop-downs, notes, native formulas and the columns SalesFlow fills itself.
Layer: the SalesFlow workbook (imports ``salesflow_xl.core``, ``salesflow_xl.ooxml`` and
``salesflow_xl.workbook`` only).

Part of the schema: the formulas here are the one place that spells structured references by
hand, in Excel's short form (``[@Value]`` is "this row's Value", see
:func:`~salesflow_xl.workbook.schema_spec.expand`). Use them through
:mod:`salesflow_xl.workbook.schema`.
"""

from __future__ import annotations

from salesflow_xl.core.forecast.calibration import PRIOR_WEIGHT
from salesflow_xl.core.i18n import W_
from salesflow_xl.workbook.schema_spec import Column, TableSpec, exactly

_STAGE_ROW = "MATCH([@Stage],tblStages[Stage],0)"


def learned_probability(step: str, probability: str) -> str:
    """The learned probability of the stage at funnel step ``step`` configured at
    ``probability`` (two formula expressions), in short form: among the closed deals whose
    Furthest step is at least ``step``, (won + m × probability) ÷ (won + lost + m), m =
    :data:`~salesflow_xl.core.forecast.calibration.PRIOR_WEIGHT` (the Excel function
    ``LEARNED_PROBABILITY`` and :func:`~salesflow_xl.core.forecast.calibration.learned_at_step`
    compute the same)."""
    reached = f'tblDeals[Furthest step],">="&{step}'
    won = f'COUNTIFS({reached},tblDeals[Status],"won")'
    lost = f'COUNTIFS({reached},tblDeals[Status],"lost")'
    weight = f"{PRIOR_WEIGHT:g}"
    return f"({won}+{weight}*{probability})/({won}+{lost}+{weight})"


STAGES = TableSpec(
    "stages",
    W_("Stages"),
    "tblStages",
    (
        Column(
            W_("Stage"),
            "name",
            required=True,
            width=20,
            note=W_("Open stages in funnel order, then the won stage, then the lost stage."),
        ),
        Column(
            W_("Probability"),
            "probability",
            "percent",
            required=True,
            width=12,
            note=W_("Chance that a deal in this stage is won."),
        ),
        Column(
            W_("Rotting days"),
            "rotting_days",
            "integer",
            width=13,
            note=W_("An open deal untouched this many days is rotting; blank never rots."),
        ),
        Column(
            W_("Follow up after (days)"),
            "follow_up_days",
            "integer",
            width=13,
            later=True,
            note=W_(
                "A deal entering this stage, or with an activity logged, is due for its next "
                "follow-up this many days later; blank sets no date."
            ),
        ),
        Column(W_("Outcome"), "outcome", required=True, width=10, note=W_("open, won or lost.")),
        Column(
            W_("Funnel step"),
            kind="integer",
            width=10,
            formula='=IF([@Outcome]="lost",0,MATCH([@Stage],tblStages[Stage],0))',
            note=W_("Position in the funnel; 0 for the lost stage."),
        ),
        Column(
            W_("Learned probability"),
            kind="percent",
            width=12,
            later=True,
            formula='=IF([@Outcome]<>"open","",'
            + learned_probability("[@Funnel step]", "[@Probability]")
            + ")",
            note=W_(
                "Of the won and lost deals that reached this stage (Furthest step), the share "
                "won, counted together with the Probability as if it were 10 more closed "
                "deals: (won + 10 × probability) ÷ (closed + 10). Blank for won and lost."
            ),
        ),
    ),
    tab_color="7F7F7F",
)

CUSTOMERS = TableSpec(
    "customers",
    W_("Customers"),
    "tblCustomers",
    (
        Column(W_("Customer ID"), "id", required=True, width=12),
        Column(W_("Name"), "name", required=True, width=20),
        Column(W_("Company"), "company", width=24),
        Column(W_("E-mail"), "email", width=28),
        Column(W_("Phone"), "phone", width=16),
        Column(W_("Segment"), "segment", choices="segments", width=14),
        Column(W_("Channel"), "channel", choices="channels", width=13),
        Column(W_("Campaign"), "campaign", choices="campaigns", width=22),
        Column(W_("First touch"), "first_touch", "date", width=12),
        Column(
            W_("Won deals"),
            kind="integer",
            width=10,
            derived=True,
            note=W_(
                "Deals won with this customer. Filled by SalesFlow from the Deals: refresh "
                "after editing them by hand."
            ),
        ),
        Column(
            W_("Orders"),
            kind="integer",
            width=9,
            derived=True,
            note=W_(
                "Orders up to the as-of date. Filled by SalesFlow from the Orders: refresh "
                "after editing them by hand."
            ),
        ),
        Column(
            W_("Revenue"),
            kind="money",
            width=12,
            derived=True,
            note=W_("Sum of the orders up to the as-of date. Filled by SalesFlow from the Orders."),
        ),
        Column(
            W_("First order"),
            kind="date",
            width=12,
            derived=True,
            note=W_(
                "Date of the first order up to the as-of date (blank: none). Filled by "
                "SalesFlow from the Orders."
            ),
        ),
        Column(
            W_("Avg order value"),
            kind="money",
            width=12,
            formula="=IF([@Orders]>0,[@Revenue]/[@Orders],0)",
        ),
        Column(
            W_("Months active"),
            kind="number",
            width=10,
            formula='=IF([@Orders]>0,MAX(1,(AsOf-[@First order])/(365.25/12)),"")',
            note=W_("Months from the first order to the as-of date, at least 1."),
        ),
        Column(
            W_("Orders per month"),
            kind="number",
            width=10,
            formula="=IF([@Orders]>0,[@Orders]/[@Months active],0)",
        ),
        Column(
            W_("CLV"),
            kind="money",
            width=12,
            formula="=[@Avg order value]*[@Orders per month]*GrossMargin*IF("
            "MonthlyDiscountRate>0,(1-(1+MonthlyDiscountRate)^(-RetentionMonths))"
            "/MonthlyDiscountRate,RetentionMonths)",
            note=W_(
                "Avg order value × orders per month × margin over the expected lifetime, "
                "discounted monthly."
            ),
        ),
        Column(
            W_("P(alive)"),
            kind="percent",
            width=9,
            prediction="p_alive",
            note=W_(
                "Chance the customer still buys (BG/NBD model of the Orders); filled by "
                "Refresh dashboard / salesflow refresh."
            ),
        ),
        Column(
            W_("Predicted purchases (12 m)"),
            kind="number",
            width=12,
            prediction="predicted_purchases",
            note=W_("Expected orders in the next 12 months (BG/NBD); filled by refresh."),
        ),
        Column(
            W_("Predicted CLV (12 m)"),
            kind="money",
            width=12,
            prediction="predicted_clv",
            note=W_(
                "Expected margin in the next 12 months, discounted (BG/NBD x Gamma-Gamma); "
                "filled by refresh."
            ),
        ),
        Column(
            W_("RFM segment"),
            width=16,
            prediction="rfm_segment",
            note=W_(
                "Champions, Loyal, New customers, Potential loyalists, At risk, Needs "
                "attention or Hibernating; filled by refresh."
            ),
        ),
        Column(
            W_("Marketing consent"),
            "consent",
            choices="consent",
            width=11,
            later=True,
            note=W_(
                "yes, no or unknown (blank): only customers with yes are in a marketing export "
                "(salesflow export-contacts)."
            ),
        ),
        Column(W_("Consent date"), "consent_date", "date", width=12, later=True),
        Column(
            W_("Consent source"),
            "consent_source",
            width=18,
            later=True,
            note=W_("How consent was given or refused: web form, signed order form, e-mail …"),
        ),
        Column(
            W_("Data source"),
            "source",
            width=18,
            later=True,
            note=W_("Where this person's data came from: a trade fair card, an import …"),
        ),
    ),
    tab_color="548235",
)

DEALS = TableSpec(
    "deals",
    W_("Deals"),
    "tblDeals",
    (
        Column(W_("Deal ID"), "id", required=True, width=10),
        Column(W_("Customer ID"), "customer_id", required=True, width=12),
        Column(
            W_("Customer"),
            width=22,
            formula='=IF([@Customer ID]="","",IFERROR(INDEX(tblCustomers[Company],MATCH('
            '[@Customer ID],tblCustomers[Customer ID],0))&"","(unknown customer)"))',
        ),
        Column(W_("Title"), "title", required=True, width=28),
        Column(W_("Value"), "value", "money", required=True, width=12),
        Column(W_("Stage"), "stage", choices="stages", required=True, width=17),
        Column(
            W_("Status"),
            "status",
            width=8,
            formula=f'=IF([@Stage]="","",IFERROR(INDEX(tblStages[Outcome],{_STAGE_ROW}),"?"))',
            note=W_("open, won or lost: follows from the stage."),
        ),
        Column(
            W_("Probability"),
            "probability",
            "percent",
            width=11,
            note=W_("The deal's own win chance; blank uses the stage's."),
        ),
        Column(W_("Created"), "created", "date", required=True, width=11),
        Column(W_("Stage entered"), "stage_entered", "date", required=True, width=12),
        Column(W_("Expected close"), "expected_close", "date", width=12),
        Column(W_("Next follow-up"), "next_follow_up", "date", width=12),
        Column(W_("Last activity"), "last_activity", "date", width=12),
        Column(W_("Closed"), "closed", "date", width=11),
        Column(W_("Lost reason"), "lost_reason", choices="lost_reasons", width=13),
        Column(W_("Channel"), "channel", choices="channels", width=13),
        Column(W_("Campaign"), "campaign", choices="campaigns", width=22),
        Column(
            W_("Segment"),
            width=14,
            formula="=IFERROR(INDEX(tblCustomers[Segment],MATCH([@Customer ID],"
            'tblCustomers[Customer ID],0))&"","")',
        ),
        Column(
            W_("Win chance"),
            kind="percent",
            width=10,
            formula='=IF([@Status]="won",1,IF([@Status]="open",IF(ISNUMBER([@Probability]),'
            f"[@Probability],INDEX(tblStages[Probability],{_STAGE_ROW})),0))",
            note=W_("1 if won, 0 if lost, else the deal's probability or its stage's."),
        ),
        Column(W_("Weighted value"), kind="money", width=13, formula="=[@Value]*[@Win chance]"),
        Column(
            W_("Days in stage"),
            kind="integer",
            width=10,
            formula='=IF([@Status]="open",MAX(0,AsOf-[@Stage entered]),"")',
        ),
        Column(
            W_("Days idle"),
            kind="integer",
            width=9,
            formula='=IF([@Status]="open",MAX(0,AsOf-MAX([@Stage entered],[@Last activity])),"")',
            note=W_("Days since the stage changed or an activity was logged."),
        ),
        Column(
            W_("Rotting"),
            width=9,
            formula='=IF([@Status]<>"open","",IF(ISNUMBER(INDEX(tblStages[Rotting days],'
            f"{_STAGE_ROW})),IF([@Days idle]>INDEX(tblStages[Rotting days],"
            f'{_STAGE_ROW}),"Rotting",""),""))',
        ),
        Column(
            W_("Cycle days"),
            kind="integer",
            width=9,
            formula='=IF([@Status]="won",[@Closed]-[@Created],"")',
            note=W_("Days from created to won."),
        ),
        Column(
            W_("Furthest step"),
            kind="integer",
            width=10,
            derived=True,
            note=W_(
                "Furthest funnel position the deal ever reached (0: none). Filled by SalesFlow "
                "from the stage log: refresh after editing the StageLog by hand."
            ),
        ),
    ),
    tab_color="C55A11",
)

STAGE_LOG = TableSpec(
    "stage_log",
    W_("StageLog"),
    "tblStageLog",
    (
        Column(W_("Timestamp"), "timestamp", "timestamp", required=True, width=17),
        Column(W_("Deal ID"), "deal_id", required=True, width=10),
        Column(W_("From stage"), "from_stage", width=17),
        Column(W_("To stage"), "to_stage", required=True, width=17),
        Column(W_("Note"), "note", width=30),
        Column(
            W_("From step"),
            kind="integer",
            width=8,
            formula="=IFERROR(INDEX(tblStages[Funnel step],MATCH([@From stage],"
            "tblStages[Stage],0)),0)",
        ),
        Column(
            W_("To step"),
            kind="integer",
            width=8,
            formula="=IFERROR(INDEX(tblStages[Funnel step],MATCH([@To stage],"
            "tblStages[Stage],0)),0)",
        ),
    ),
    tab_color="7F7F7F",
)

ACTIVITIES = TableSpec(
    "activities",
    W_("Activities"),
    "tblActivities",
    (
        Column(W_("Activity ID"), "id", required=True, width=11),
        Column(W_("Deal ID"), "deal_id", width=10),
        Column(W_("Customer ID"), "customer_id", width=12),
        Column(W_("Type"), "type", choices="activity_types", required=True, width=11),
        Column(W_("Due"), "due", "date", required=True, width=11),
        Column(W_("Done"), "done", "date", width=11),
        Column(W_("Note"), "note", width=36),
        Column(
            W_("Days overdue"),
            kind="integer",
            width=10,
            formula='=IF(AND([@Done]="",[@Due]<=AsOf),AsOf-[@Due],"")',
        ),
    ),
    tab_color="2E75B6",
)

_DEALS_OF_CAMPAIGN = f"tblDeals[Campaign],{exactly('[@Campaign]')}"
CAMPAIGNS = TableSpec(
    "campaigns",
    W_("Campaigns"),
    "tblCampaigns",
    (
        Column(W_("Campaign"), "name", required=True, width=26),
        Column(W_("Channel"), "channel", choices="channels", required=True, width=13),
        Column(W_("Start"), "start", "date", required=True, width=11),
        Column(W_("End"), "end", "date", required=True, width=11),
        Column(W_("Spend"), "spend", "money", required=True, width=11),
        Column(
            W_("Deals"),
            kind="integer",
            width=7,
            formula=f'=IF([@Campaign]="","",COUNTIFS({_DEALS_OF_CAMPAIGN}))',
        ),
        Column(
            W_("Won"),
            kind="integer",
            width=6,
            formula=f'=IF([@Campaign]="","",COUNTIFS({_DEALS_OF_CAMPAIGN},tblDeals[Status],"won"))',
        ),
        Column(
            W_("Revenue"),
            kind="money",
            width=12,
            formula=f'=IF([@Campaign]="","",SUMIFS(tblDeals[Value],{_DEALS_OF_CAMPAIGN},'
            'tblDeals[Status],"won"))',
        ),
        Column(
            W_("New customers"),
            kind="integer",
            width=10,
            formula='=IF([@Campaign]="","",COUNTIFS(tblCustomers[Campaign],'
            f'{exactly("[@Campaign]")},tblCustomers[Won deals],">0"))',
            note=W_("Customers this campaign acquired who won at least one deal."),
        ),
        Column(
            W_("ROI"),
            kind="percent",
            width=9,
            formula='=IF(N([@Spend])>0,([@Revenue]-[@Spend])/[@Spend],"")',
        ),
        Column(
            W_("ROAS"), kind="number", width=8, formula='=IF(N([@Spend])>0,[@Revenue]/[@Spend],"")'
        ),
        Column(
            W_("CAC"),
            kind="money",
            width=10,
            formula='=IF(N([@New customers])>0,[@Spend]/[@New customers],"")',
        ),
    ),
    tab_color="7030A0",
)

ORDERS = TableSpec(
    "orders",
    W_("Orders"),
    "tblOrders",
    (
        Column(W_("Order ID"), "id", required=True, width=12),
        Column(W_("Customer ID"), "customer_id", required=True, width=12),
        Column(W_("Date"), "date", "date", required=True, width=11),
        Column(W_("Amount"), "amount", "money", required=True, width=11),
    ),
    tab_color="548235",
)

# -- tables beside the sales data ------------------------------------------------------------

TEMPLATES = TableSpec(
    "templates",
    W_("Templates"),
    "tblTemplates",
    (
        Column(W_("Template"), "name", required=True, width=22),
        Column(
            W_("Stage"),
            "stage",
            choices="stages",
            width=18,
            note=W_(
                "The stage whose follow-ups use this template; blank: any stage without a "
                "template of its own, and follow-ups without a deal."
            ),
        ),
        Column(
            W_("Marketing"),
            "marketing",
            width=11,
            note=W_(
                "yes: a marketing e-mail, drafted only for customers whose marketing consent "
                "is yes. Blank or no: a follow-up of the customer's own business."
            ),
        ),
        Column(
            W_("Subject"),
            "subject",
            required=True,
            width=36,
            note=W_(
                "Placeholders: {name}, {company}, {deal}, {value}, {stage}, {due}. Write {{ "
                "and }} for a brace itself."
            ),
        ),
        Column(W_("Body"), "body", required=True, width=70, note=W_("The same placeholders.")),
    ),
    tab_color="548235",
)

PRIVACY_LOG = TableSpec(
    "privacy_log",
    W_("Privacy log"),
    "tblPrivacyLog",
    (
        Column(W_("When"), "timestamp", "timestamp", required=True, width=17),
        Column(W_("Customer ID"), "customer_id", required=True, width=12),
        Column(
            W_("Erased"),
            "erased",
            width=50,
            note=W_("What was erased (never the data itself). Rows are only ever added."),
        ),
        Column(W_("Why"), "reason", width=40),
    ),
    tab_color="7F7F7F",
)
