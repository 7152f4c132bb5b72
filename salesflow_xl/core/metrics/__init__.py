"""Sales metrics: scalar forms take numbers, table forms take the typed DataFrames.

The seed's three functions are here under their names: :func:`clv`, :func:`conversion_rate`,
:func:`roi`. Rates are fractions (0.2 means 20 %).
"""

from salesflow_xl.core.metrics.customers import customer_value, monthly_rate
from salesflow_xl.core.metrics.marketing import (
    campaign_performance,
    channel_performance,
    conversion_by,
)
from salesflow_xl.core.metrics.pipeline import (
    average_days_in_stage,
    average_won_deal,
    closed_in,
    days_idle,
    effective_probability,
    followups_due,
    funnel,
    rotting_deals,
    sales_cycle_days,
    stage_conversion,
    stage_reach,
    time_in_stage,
    velocity_of,
    weighted_pipeline,
    weighted_values,
    win_rate_of,
)
from salesflow_xl.core.metrics.scalar import (
    cac,
    cac_payback_months,
    clv,
    clv_formula,
    conversion_rate,
    ltv_cac,
    pipeline_velocity,
    roas,
    roi,
    weighted_value,
    win_rate,
)

__all__ = [
    "average_days_in_stage",
    "average_won_deal",
    "cac",
    "cac_payback_months",
    "campaign_performance",
    "channel_performance",
    "closed_in",
    "clv",
    "clv_formula",
    "conversion_by",
    "conversion_rate",
    "customer_value",
    "days_idle",
    "effective_probability",
    "followups_due",
    "funnel",
    "ltv_cac",
    "monthly_rate",
    "pipeline_velocity",
    "roas",
    "roi",
    "rotting_deals",
    "sales_cycle_days",
    "stage_conversion",
    "stage_reach",
    "time_in_stage",
    "velocity_of",
    "weighted_pipeline",
    "weighted_value",
    "weighted_values",
    "win_rate",
    "win_rate_of",
]
