"""IAM policy evaluation, as the AWS IAM User Guide documents it.

Parse policies (:func:`parse_policy`), describe a request (:class:`Request`)
and the policies that apply to it (:class:`PolicySet`), and :func:`evaluate`
returns an :class:`Evaluation`: a :class:`Decision` (``ALLOW``,
``EXPLICIT_DENY``, ``IMPLICIT_DENY``) with the statement that decided and the
reason every other statement did not apply.

Examples
--------
>>> from labsupport.security.iam import PolicySet, Request, evaluate
>>> ps = PolicySet(identity=[{"Version": "2012-10-17", "Statement": {
...     "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}}])
>>> evaluate(Request("arn:aws:iam::111122223333:user/ana", "s3:GetObject", "arn:aws:s3:::home/ana/cv.pdf"), ps).decision.value
'ALLOW'
>>> evaluate(Request("arn:aws:iam::111122223333:user/bob", "s3:GetObject", "arn:aws:s3:::home/ana/cv.pdf"), ps).decision.value
'IMPLICIT_DENY'
"""

from labsupport.security.iam.evaluate import Decision, Evaluation, evaluate
from labsupport.security.iam.parse import Policy, PolicyError, Statement, parse_policy
from labsupport.security.iam.request import PolicySet, Request
from labsupport.security.iam.statements import StatementResult

__all__ = [
    "Decision",
    "Evaluation",
    "evaluate",
    "Policy",
    "PolicyError",
    "Statement",
    "parse_policy",
    "PolicySet",
    "Request",
    "StatementResult",
]
