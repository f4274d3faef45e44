"""The bundled severity policies, transcribed from the runbooks (``POLICIES.md``).

``sev`` (SEV-1..4, seed 004) is the default; ``p1`` (P1..P4, seed 002); ``p0`` (P0..P3, seeds 000/001).
"""

from __future__ import annotations

from warroom.domain.policy import EscalationStep, Level, Policy, PolicyError, Span

M = Span  # minutes


def _h(hours: int) -> Span:
    return Span(hours * 60)


def _bh(hours: int) -> Span:
    return Span(hours * 60, "business_minutes")


def _bd(days: int) -> Span:
    return Span(days, "business_days")


def _esc(after: Span, condition: str, to: str) -> EscalationStep:
    return EscalationStep(after, condition, to)


SEV = Policy(
    name="sev",
    title="SEV-1..SEV-4 (incident response guide)",
    levels=(
        Level(
            "SEV-1", "Critical",
            "Service completely unavailable or major data loss affecting all/most customers",
            targets={"acknowledge": M(5), "resolve": _h(1)},
            update_every=M(15),
            escalation=(
                _esc(M(5), "unacknowledged", "on-call manager"),
                _esc(_h(2), "unresolved", "VP Engineering"),
            ),
            checklist=(
                "Declare incident in #incidents Slack channel",
                "Page all engineering leads",
                "Get incident commander + tech lead",
                "Send customer notification within 5 minutes",
                "Begin root cause investigation",
                "Executive team briefed",
                "Customer success team ready for support volume",
            ),
        ),
        Level(
            "SEV-2", "High",
            "Significant service degradation or partial outage affecting 10%+ of customers",
            targets={"acknowledge": M(15), "resolve": _h(4)},
            update_every=M(30),
            escalation=(
                _esc(M(15), "unidentified", "engineering manager"),
                _esc(_h(4), "unresolved", "VP Engineering"),
            ),
            checklist=(
                'Declare incident with "sev-2" tag',
                "Page on-call engineer",
                "Notify incident commander",
                "Assess customer impact (how many, which merchants)",
                "Update status page",
                "Notify affected customers directly",
                "Begin investigation",
                "Establish resolution timeline",
            ),
        ),
        Level(
            "SEV-3", "Medium",
            "Service degradation or outage affecting <10% of customers or non-critical features",
            targets={"acknowledge": _h(1), "resolve": _h(8)},
            update_every=M(30),
            checklist=(
                "Create incident ticket",
                "Estimate scope and impact",
                "Assign to on-call team",
                "Update status if public-facing",
                "Monitor until resolved",
            ),
        ),
        Level(
            "SEV-4", "Low",
            "Minor issues, no customer impact or very few customers affected",
            targets={"acknowledge": _bd(1), "resolve": _bd(5)},
            checklist=(
                "Create GitHub issue",
                "Label with severity and component",
                "Prioritize in backlog",
                "Schedule for next sprint if necessary",
            ),
        ),
    ),
)

P1 = Policy(
    name="p1",
    title="P1..P4 (incident response procedures)",
    levels=(
        Level(
            "P1", "Critical",
            "Complete service outage or severe degradation affecting all customers or critical business functions",
            targets={"acknowledge": M(5), "respond": M(10), "resolve": M(45)},
            update_every=M(30),
            escalation=(
                _esc(M(10), "unacknowledged", "secondary on-call"),
                _esc(M(20), "unacknowledged", "engineering manager"),
                _esc(M(30), "unacknowledged", "director"),
                _esc(M(45), "unacknowledged", "VP Engineering"),
            ),
            checklist=(
                "Escalate to on-call engineering team",
                "Activate war room within 10 minutes",
                "Notify executives within 15 minutes",
                "Communicate with customers within 15 minutes",
                "All hands response until resolution",
            ),
        ),
        Level(
            "P2", "High",
            "Significant service degradation affecting multiple customers or important functionality",
            targets={"acknowledge": M(15), "respond": M(20), "resolve": _h(2)},
            update_every=M(60),
            escalation=(_esc(_h(1), "unresolved", "engineering manager"),),
            checklist=(
                "On-call engineer responds within 15 minutes",
                "Notify team lead within 20 minutes",
                "Involve engineering manager if not resolved in 1 hour",
                "Communicate with customers within 30 minutes",
                "Post status updates every hour",
            ),
        ),
        Level(
            "P3", "Medium",
            "Service degradation affecting limited functionality or small customer subset",
            targets={"acknowledge": _h(1), "respond": _h(2), "resolve": _bh(8)},
            update_every=_h(24),
            checklist=(
                "Assign to an available engineer within 1 hour",
                "Investigate during business hours",
                "Notify customers if directly affected",
                "Resolve within the business day",
            ),
        ),
        Level(
            "P4", "Low",
            "Minor issues with minimal customer impact or cosmetic problems",
            targets={"acknowledge": _h(24), "respond": _h(48), "resolve": _bd(5)},
            checklist=(
                "Standard ticket assignment and prioritization",
                "Resolve within the standard development cycle",
                "Notify the customer if specifically requested",
            ),
        ),
    ),
)

P0 = Policy(
    name="p0",
    title="P0..P3 (escalation procedures)",
    levels=(
        Level(
            "P0", "Critical",
            "Complete service outage, data loss or corruption, security breach",
            targets={"respond": M(5), "resolve": _h(1)},
            update_every=M(30),
            escalation=(
                _esc(M(15), "unresolved", "L2 team lead"),
                _esc(M(30), "unresolved", "L3 engineering manager"),
                _esc(_h(1), "unresolved", "L4 CTO/VP"),
            ),
            checklist=(
                "Page on-call engineer (L1) immediately",
                "Open incident channel and war room",
                "Notify management",
                "Update status page",
                "Notify customers",
                "Schedule post-mortem within 48 hours",
            ),
        ),
        Level(
            "P1", "High",
            "Partial service outage affecting multiple users, performance degradation > 50%, authentication failures",
            targets={"respond": M(15), "resolve": _h(4)},
            update_every=M(30),
            escalation=(
                _esc(M(30), "unresolved", "L2 team lead"),
                _esc(_h(2), "unresolved", "L3 engineering manager"),
                _esc(_h(4), "unresolved", "L4 CTO/VP"),
            ),
            checklist=(
                "Page on-call engineer (L1)",
                "Open incident channel",
                "Notify team lead",
                "Update status page",
                "Schedule post-mortem within 48 hours",
            ),
        ),
        Level(
            "P2", "Medium",
            "Single feature/service degraded, performance degradation 20-50%, non-critical errors",
            targets={"respond": _h(1), "resolve": _h(24)},
            update_every=M(60),
            escalation=(
                _esc(_h(2), "unresolved", "L2 team lead"),
                _esc(_h(24), "unresolved", "L3 engineering manager"),
            ),
            checklist=("Create incident ticket", "Assign to on-call engineer", "Update ticket with progress"),
        ),
        Level(
            "P3", "Low",
            "Minor issues, cosmetic problems, non-blocking errors",
            targets={"respond": _h(4), "resolve": Span(7 * 1440)},
            update_every=M(60),
            escalation=(
                _esc(_h(24), "unresolved", "L2 team lead"),
                _esc(Span(7 * 1440), "unresolved", "L3 engineering manager"),
            ),
            checklist=("Create ticket", "Prioritize in backlog"),
        ),
    ),
)

PRESETS: dict[str, Policy] = {p.name: p for p in (SEV, P1, P0)}
DEFAULT_PRESET = "sev"


def preset(name: str) -> Policy:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise PolicyError(f"unknown policy preset {name!r} (presets: {', '.join(PRESETS)}; or a .toml file)") from None
