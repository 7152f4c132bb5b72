"""Table metrics on small inline tables, against figures worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import table

from salesflow_xl.core import metrics
from salesflow_xl.core.errors import InvalidArgumentError
from salesflow_xl.core.model import DEFAULT_PIPELINE as P
from salesflow_xl.core.model import Activity, Campaign, Customer, Deal, Order, Settings, StageEvent

AS_OF = date(2026, 3, 21)

# D1: the long way with one step back, then won.  D2: starts in Nurturing (skips Lead), lost.
# D3: skips Nurturing, still open in Negotiation.  D4: lost straight from Lead.
STAGE_LOG = table(
    """
    timestamp,deal_id,from_stage,to_stage
    2026-03-01 09:00,D1,,Lead acquisition
    2026-03-05 21:00,D1,Lead acquisition,Nurturing
    2026-03-10 21:00,D1,Nurturing,Negotiation
    2026-03-12 21:00,D1,Negotiation,Nurturing
    2026-03-15 21:00,D1,Nurturing,Negotiation
    2026-03-20 21:00,D1,Negotiation,Closed won
    2026-03-02 00:00,D2,,Nurturing
    2026-03-08 00:00,D2,Nurturing,Closed lost
    2026-03-03 00:00,D3,,Lead acquisition
    2026-03-06 00:00,D3,Lead acquisition,Negotiation
    2026-03-04 00:00,D4,,Lead acquisition
    2026-03-09 00:00,D4,Lead acquisition,Closed lost
    """,
    StageEvent,
)

DEALS = table(
    """
    id,customer_id,title,value,stage,status,created,stage_entered,probability,next_follow_up,last_activity,closed,lost_reason
    D1,C1,Espresso,1000,Closed won,won,2026-03-01,2026-03-20,,2026-03-01,,2026-03-20,
    D2,C2,Blend,2000,Closed lost,lost,2026-03-02,2026-03-08,,,,2026-03-08,Price
    D3,C3,Office,3000,Negotiation,open,2026-03-03,2026-03-06,,,2026-03-10,,
    D4,C4,Training,400,Closed lost,lost,2026-03-04,2026-03-09,,,,2026-03-09,Timing
    D5,C5,Seasonal,500,Lead acquisition,open,2026-03-01,2026-03-01,0.5,2026-03-20,,,
    D6,C6,Hotel,800,Nurturing,open,2026-02-10,2026-02-20,,,2026-03-15,,
    """,
    Deal,
)


def test_stage_conversion_counts_skips_as_passed_and_back_moves_once() -> None:
    result = metrics.stage_conversion(STAGE_LOG, P)
    # reached: Lead 4 (D2 skipped it), Nurturing 3 (D3 skipped it), Negotiation 2, won 1
    assert result["reached"].tolist() == [4, 3, 2, 1]
    assert np.isnan(result["conversion"].iloc[0])
    assert result["conversion"].iloc[1:].tolist() == pytest.approx([3 / 4, 2 / 3, 1 / 2])
    assert result["from_first"].tolist() == pytest.approx([1, 0.75, 0.5, 0.25])


def test_stage_conversion_names_an_unknown_stage() -> None:
    log = pd.concat([STAGE_LOG, STAGE_LOG.iloc[[0]].assign(to_stage="Proposal")])
    with pytest.raises(InvalidArgumentError, match="'Proposal'"):
        metrics.stage_conversion(log, P)


def test_time_in_stage_and_averages() -> None:
    stays = metrics.time_in_stage(STAGE_LOG, P, AS_OF)
    d3 = stays[stays["deal_id"] == "D3"].set_index("stage")["days"]
    assert d3.to_dict() == pytest.approx({"Lead acquisition": 3.0, "Negotiation": 15.0})
    averages = metrics.average_days_in_stage(STAGE_LOG, P, AS_OF)
    # completed stays only: Lead 4.5, 3, 5; Nurturing 5, 3, 6; Negotiation 2, 5 (D3 still there)
    assert averages.to_dict() == pytest.approx(
        {"Lead acquisition": 12.5 / 3, "Nurturing": 14 / 3, "Negotiation": 3.5}
    )


def test_funnel_and_weighted_pipeline() -> None:
    result = metrics.funnel(DEALS, P)
    assert result["deals"].to_dict() == {
        "Lead acquisition": 1,
        "Nurturing": 1,
        "Negotiation": 1,
        "Closed won": 1,
        "Closed lost": 2,
    }
    # D3 3000 × stage 0.6; D5 500 × its own 0.5; D6 800 × stage 0.3
    assert result.loc["Negotiation", "weighted_value"] == pytest.approx(1800)
    assert metrics.weighted_pipeline(DEALS, P) == pytest.approx(1800 + 250 + 240)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, 1 / 3),  # D1 won; D2, D4 lost
        (date(2026, 3, 9), None, 1 / 2),  # D1 won, D4 lost (closed on the start day counts)
        (None, date(2026, 3, 8), 0.0),  # only D2
    ],
)
def test_win_rate_by_period(start, end, expected) -> None:
    assert metrics.win_rate_of(DEALS, start, end) == pytest.approx(expected)


def test_win_rate_of_nothing_closed_is_nan() -> None:
    assert np.isnan(metrics.win_rate_of(DEALS, date(2027, 1, 1)))


def test_cycle_average_deal_and_velocity() -> None:
    assert metrics.sales_cycle_days(DEALS) == pytest.approx(19.0)  # D1: 1 → 20 March
    assert metrics.average_won_deal(DEALS) == pytest.approx(1000.0)
    # 3 open deals × 1/3 × 1000 ÷ 19 days
    assert metrics.velocity_of(DEALS) == pytest.approx(3 * (1 / 3) * 1000 / 19)


def test_rotting_uses_last_activity_as_a_touch() -> None:
    rotting = metrics.rotting_deals(DEALS, P, AS_OF)
    # D5: untouched since 1 March = 20 days > 14. D3 touched 10 March = 11 ≤ 14.
    # D6: in Nurturing since 20 Feb but touched 15 March = 6 ≤ 21.
    assert rotting["id"].tolist() == ["D5"]
    assert rotting["days_idle"].tolist() == [20.0]


def test_followups_due() -> None:
    activities = table(
        """
        id,deal_id,customer_id,type,due,done,note
        A1,D3,C3,Call,2026-03-19,,price question
        A2,D6,C6,E-mail,2026-03-21,,
        A3,D3,C3,Meeting,2026-03-18,2026-03-18,
        A4,D3,C3,Call,2026-03-25,,
        """,
        Activity,
    )
    due = metrics.followups_due(activities, DEALS, AS_OF)
    assert due[["id", "days_overdue"]].values.tolist() == [["A1", 2], ["D5", 1], ["A2", 0]]
    assert due["what"].tolist() == ["Call: price question", "Follow up: Seasonal", "E-mail"]


def test_campaign_cost_is_counted_once() -> None:
    campaigns = table(
        """
        name,channel,start,end,spend
        Spring,Google Ads,2026-01-01,2026-03-31,1000
        Fair,Events,2026-02-01,2026-02-03,500
        Quiet,LinkedIn,2026-01-01,2026-01-31,200
        """,
        Campaign,
    )
    deals = table(
        """
        id,customer_id,title,value,stage,status,created,stage_entered,closed,channel,campaign
        D1,C1,a,1000,Closed won,won,2026-03-01,2026-03-20,2026-03-20,Google Ads,Spring
        D7,C1,b,4000,Closed won,won,2026-03-01,2026-03-20,2026-03-20,Google Ads,Spring
        D8,C2,c,2000,Closed won,won,2026-03-01,2026-03-20,2026-03-20,Google Ads,Spring
        D2,C3,d,900,Closed lost,lost,2026-03-01,2026-03-20,2026-03-20,Events,Fair
        D9,C4,e,700,Nurturing,open,2026-03-01,2026-03-20,,Referral,
        """,
        Deal,
    )
    customers = table(
        """
        id,name,channel,campaign
        C1,Ann,Google Ads,Spring
        C2,Ben,Google Ads,Spring
        C3,Cem,Events,Fair
        C4,Dan,Referral,
        C5,Eva,Google Ads,Spring
        """,
        Customer,
    )
    result = metrics.campaign_performance(campaigns, deals, customers)
    spring = result.loc["Spring"]
    # revenue 7000 on spend 1000 (once, not once per deal): ROI 600 %, ROAS 7; C1 and C2 were
    # acquired by Spring and won (C5 was acquired but never won): CAC 1000 / 2
    assert (spring["spend"], spring["revenue"], spring["won"]) == (1000, 7000, 3)
    assert spring["roi"] == pytest.approx(6.0)
    assert spring["roas"] == pytest.approx(7.0)
    assert spring["cac"] == pytest.approx(500.0)
    assert result.loc["Fair", "roi"] == pytest.approx(-1.0)
    assert np.isnan(result.loc["Fair", "cac"])
    assert result.loc["Quiet", "deals"] == 0
    channels = metrics.channel_performance(campaigns, deals, customers)
    assert channels.loc["Google Ads", "roi"] == pytest.approx(6.0)
    assert channels.loc["Referral", "deals"] == 1
    assert np.isnan(channels.loc["Referral", "roi"])
    assert channels.loc["LinkedIn", "spend"] == 200


def test_customer_value_from_orders() -> None:
    customers = table("id,name\nC1,Ann\nC2,Ben\nC3,Cem", Customer)
    orders = table(
        """
        id,customer_id,date,amount
        O1,C1,2025-12-21,100
        O2,C1,2026-02-19,300
        O3,C2,2026-03-20,50
        O4,C2,2026-03-25,999
        """,
        Order,
    )
    settings = Settings(as_of=AS_OF, retention_months=24, gross_margin=0.5)
    value = metrics.customer_value(customers, orders, settings)
    # C1: 2 orders, 90 days → 2.957 months, 0.6764 a month, AOV 200 → 200 × f × 24 × 0.5
    frequency = 2 / (90 / (365.25 / 12))
    assert value.loc["C1", "purchase_frequency"] == pytest.approx(frequency)
    assert value.loc["C1", "clv"] == pytest.approx(200 * frequency * 24 * 0.5)
    # C2: one order yesterday counts as one month (O4 is after as_of and ignored)
    assert value.loc["C2", ["orders", "clv"]].tolist() == pytest.approx([1, 50 * 24 * 0.5])
    assert value.loc["C3", ["orders", "clv"]].tolist() == [0, 0.0]


def test_monthly_rate_compounds_to_the_annual_rate() -> None:
    assert (1 + metrics.monthly_rate(0.1)) ** 12 == pytest.approx(1.1)


def test_forecast_by_month_groups_open_deals_by_expected_close() -> None:
    deals = table(
        """
        id,customer_id,title,value,stage,status,created,stage_entered,probability,expected_close
        F1,C1,Overdue,1000,Negotiation,open,2026-01-01,2026-01-05,,2026-02-14
        F2,C1,March A,2000,Lead acquisition,open,2026-03-01,2026-03-01,,2026-03-30
        F3,C2,March B,500,Nurturing,open,2026-03-02,2026-03-02,0.5,2026-03-02
        F4,C3,Won in March,9000,Closed won,won,2026-03-01,2026-03-10,,2026-03-15
        F5,C3,No date,400,Nurturing,open,2026-03-03,2026-03-03,,
        F6,C4,May,1000,Negotiation,open,2026-03-03,2026-03-04,0.9,2026-05-01
        """,
        Deal,
    )
    result = metrics.forecast_by_month(deals, P, AS_OF)
    # Stage chances: Lead 0.1, Nurturing 0.3, Negotiation 0.6 (DEFAULT_PIPELINE); own chance wins.
    assert result["month"].tolist() == ["2026-02", "2026-03", "2026-05", "(no date)"]
    assert result["deals"].tolist() == [1, 2, 1, 1]
    assert result["value"].tolist() == [1000, 2500, 1000, 400]
    # 2026-03: 2000 × 0.1 + 500 × 0.5 = 450;  no date: 400 × 0.3 = 120;  May: 1000 × 0.9
    assert result["weighted_value"].tolist() == pytest.approx([600, 450, 900, 120])
    assert result["overdue"].tolist() == [True, False, False, False]
    assert result["weighted_value"].sum() == pytest.approx(metrics.weighted_pipeline(deals, P))


def test_clv_distribution_uses_round_bands_and_counts_every_customer() -> None:
    values = pd.Series([0.0, 120.0, 480.0, 499.99, 500.0, 1999.0, np.nan])
    result = metrics.clv_distribution(values, max_bins=5)
    # range 0…1999 over ≤ 5 bands → raw width 399.8 → round width 500: 0, 500, …, 2000
    assert result["from"].tolist() == [0, 500, 1000, 1500]
    assert result["to"].tolist() == [500, 1000, 1500, 2000]
    assert result["customers"].tolist() == [4, 1, 0, 1]
    negative = metrics.clv_distribution(pd.Series([-30.0, 70.0]), max_bins=4)
    # range −30…70 → raw 25 → width 25: bands from −50 to 75
    assert negative["from"].tolist() == [-50, -25, 0, 25, 50]
    assert negative["customers"].tolist() == [1, 0, 0, 0, 1]
    assert not result["and_above"].any()  # fewer than 100 customers: no tail band
    assert metrics.clv_distribution(pd.Series([], dtype=float)).empty
    with pytest.raises(InvalidArgumentError, match="max_bins"):
        metrics.clv_distribution(values, max_bins=0)


def test_clv_distribution_puts_the_top_percent_in_an_open_last_band() -> None:
    # 999 customers at 0.5, 1.5, …, 998.5 and one at a million: the 99th percentile is about
    # 989 (numpy's linear rule), so bands of round width 100 (989 / 12 = 82 → 100) cover 0…1000
    values = pd.Series([*np.arange(999) + 0.5, 1e6])
    result = metrics.clv_distribution(values)
    assert result["from"].tolist() == list(range(0, 1000, 100))
    assert result["customers"].tolist() == [100] * 9 + [99 + 1]
    assert result["and_above"].tolist() == [False] * 9 + [True]
    assert result["customers"].sum() == len(values)


def test_a_campaign_counts_the_customers_it_acquired_without_deals_naming_it() -> None:
    """Cem came through the fair and won a deal tagged with no campaign: the fair has one new
    customer, so its CAC is its spend, 500 (worked by hand); the channel likewise."""
    campaigns = table(
        """
        name,channel,start,end,spend
        Fair,Events,2026-02-01,2026-02-03,500
        """,
        Campaign,
    )
    deals = table(
        """
        id,customer_id,title,value,stage,status,created,stage_entered,closed,channel,campaign
        D1,C3,a,900,Closed won,won,2026-03-01,2026-03-20,2026-03-20,,
        """,
        Deal,
    )
    customers = table(
        """
        id,name,channel,campaign
        C3,Cem,Events,Fair
        """,
        Customer,
    )
    by_campaign = metrics.campaign_performance(campaigns, deals, customers).loc["Fair"]
    assert (by_campaign["deals"], by_campaign["new_customers"]) == (0, 1)
    assert by_campaign["cac"] == 500
    by_channel = metrics.channel_performance(campaigns, deals, customers).loc["Events"]
    assert (by_channel["new_customers"], by_channel["cac"]) == (1, 500)
