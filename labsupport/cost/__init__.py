"""Cost management: example prices, purchase models, commitments, budgets, Cost Explorer, Spot.

Modules
-------
prices       example us-east-1 prices (quotes and illustrative figures, labelled) and billing facts
pricing      a usage profile under On-Demand, RIs, Savings Plans and Spot; break-even utilisation
commitments  Savings Plan cost as a function of the commitment, and the exact optimum (a quantile)
budgets      month-to-date, a linear forecast, ACTUAL and FORECASTED alerts
explorer     spend by service and tag; a rolling-baseline anomaly detector (teaching stand-in)
spot         a seeded Spot fleet with interruptions, two-minute notices and checkpoints
reliability  monthly price of replicated / Multi-AZ / statically stable designs
"""

from labsupport.cost.budgets import (
    BudgetAlert, BudgetMonth, evaluate_budget, forecast_month_end, month_to_date, run_budget_month,
)
from labsupport.cost.commitments import (
    apply_savings_plan, commitment_regret, commitment_risk, optimal_commitment, savings_plan_cost,
    savings_plan_cost_curve,
)
from labsupport.cost.explorer import CostRecord, detect_anomalies, spend_by_service, spend_by_tag
from labsupport.cost.prices import PRICES, InstancePrices, ReservedOffer, instance_prices
from labsupport.cost.pricing import break_even_hours, break_even_utilisation, compare_models
from labsupport.cost.reliability import design_cost, static_stability_instances
from labsupport.cost.spot import SpotFleetResult, run_spot_fleet

__all__ = [
    "PRICES", "InstancePrices", "ReservedOffer", "instance_prices",
    "break_even_hours", "break_even_utilisation", "compare_models",
    "apply_savings_plan", "commitment_regret", "commitment_risk", "optimal_commitment", "savings_plan_cost",
    "savings_plan_cost_curve",
    "BudgetAlert", "BudgetMonth", "evaluate_budget", "forecast_month_end", "month_to_date", "run_budget_month",
    "CostRecord", "detect_anomalies", "spend_by_service", "spend_by_tag",
    "SpotFleetResult", "run_spot_fleet",
    "design_cost", "static_stability_instances",
]
