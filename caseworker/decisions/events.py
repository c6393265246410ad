"""What a signed decision sets off (kernel.events, ADR 0012).

`decision_signed` is published inside the decision's transaction by every path that signs a
decision (a caseworker, the second approver, a standing decision's month, the automated
function). Its subscribers, connected in `caseworker.apps.CaseworkerConfig.ready()`: the decision
letter (`caseworker.letters.render`), the payment order (`caseworker.payments.services`) and the
applicant's notice with its delivery record (`caseworker.letters.delivery`). The decision code
imports none of them; a missing subscriber fails loudly (kernel.E001, NoSubscriber).
"""

from __future__ import annotations

from intake.models import Decision
from kernel.events import Topic

decision_signed: Topic[Decision, object] = Topic("caseworker.decision_signed")
