"""Model permissions each role gets on treatment plans (see careteam.roles)."""

_PLAN_MODELS = ["treatmentplan", "problem", "goal", "actionstep", "intervention", "planreview", "goalreview"]
_VIEW = [f"plans.view_{m}" for m in _PLAN_MODELS] + ["plans.view_actionstepcompletion"]
_WRITE = [f"plans.{verb}_{m}" for m in _PLAN_MODELS for verb in ("add", "change")]
_LOG = ["plans.add_actionstepcompletion"]

PLAN_ROLE_PERMISSIONS: dict[str, list[str]] = {
    "counselor": _VIEW + _WRITE + _LOG,
    "case_manager": _VIEW + _LOG,
    # Peers support action steps ("two support groups a week"): they read the plan and log completions.
    "peer_specialist": _VIEW + _LOG,
    "crisis_worker": _VIEW,
    "supervisor": _VIEW + _WRITE + _LOG,
    "admin": _VIEW,
}
