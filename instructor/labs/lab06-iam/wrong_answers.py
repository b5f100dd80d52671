"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly. Several pass the
public tests and are caught only by the hidden ones.
"""

WRONG = {
    "q1": [
        # Compares action names with case: IAM:listaccesskeys no longer matches iam:ListAccessKeys.
        "import fnmatch as _fn\n"
        "def action_matches(pattern, action):\n"
        "    return _fn.fnmatchcase(action, pattern)\n",
        # Builds the regular expression without escaping: '.' in a bucket name matches any character.
        "import re as _re\n"
        "def resource_matches(pattern, resource):\n"
        "    return _re.fullmatch(pattern.replace('*', '.*').replace('?', '.'), resource) is not None\n",
        # Matches a prefix instead of the whole string.
        "import re as _re\n"
        "def resource_matches(pattern, resource):\n"
        "    return _re.match(''.join('.*' if c == '*' else '.' if c == '?' else _re.escape(c) for c in pattern), resource) is not None\n",
        # Hands in the library's matcher.
        "from labsupport.security.iam.match import compile_action as _compile, action_matches as _library_matches\n"
        "def action_matches(pattern, action):\n"
        "    return _library_matches(_compile(pattern), action)\n",
        # fnmatch with case folding for actions: it treats [...] as a character class, not as literal brackets.
        "import fnmatch as _fn\n"
        "def action_matches(pattern, action):\n"
        "    return _fn.fnmatchcase(action.lower(), pattern.lower())\n"
        "def resource_matches(pattern, resource):\n"
        "    return _fn.fnmatchcase(resource, pattern)\n",
        # A regular expression from str.replace, unescaped, for both functions: 'a.b' matches 'aXb', 'a(b' crashes.
        "import re as _re\n"
        "def _unescaped(pattern):\n"
        "    return pattern.replace('*', '.*').replace('?', '.')\n"
        "def action_matches(pattern, action):\n"
        "    return _re.fullmatch(_unescaped(pattern), action, flags=_re.IGNORECASE) is not None\n"
        "def resource_matches(pattern, resource):\n"
        "    return _re.fullmatch(_unescaped(pattern), resource) is not None\n",
        # The library's matchers reached through __import__, so that no imported name mentions labsupport.
        "del action_matches, resource_matches\n"
        "def action_matches(pattern, action):\n"
        "    _m = __import__('labsupport.security.iam.match', fromlist=['compile_action'])\n"
        "    return _m.action_matches(_m.compile_action(pattern), action)\n"
        "def resource_matches(pattern, resource):\n"
        "    _m = __import__('labsupport.security.iam.match', fromlist=['compile_resource'])\n"
        "    return _m.resource_matches(_m.compile_resource(pattern, variables=False), resource, {})\n",
    ],
    "q2": [
        # Treats NotAction like Action.
        "def statement_matches(statement, request):\n"
        "    patterns = statement.get('Action', statement.get('NotAction'))\n"
        "    patterns = patterns if isinstance(patterns, list) else [patterns]\n"
        "    resources = statement['Resource'] if isinstance(statement['Resource'], list) else [statement['Resource']]\n"
        "    return any(action_matches(p, request['action']) for p in patterns) and \\\n"
        "        any(resource_matches(r, request['resource']) for r in resources)\n",
        # Looks only at the first entry of a list.
        "def statement_matches(statement, request):\n"
        "    first = lambda v: v[0] if isinstance(v, list) else v\n"
        "    if 'NotAction' in statement:\n"
        "        ok = not action_matches(first(statement['NotAction']), request['action'])\n"
        "    else:\n"
        "        ok = action_matches(first(statement['Action']), request['action'])\n"
        "    return ok and resource_matches(first(statement['Resource']), request['resource'])\n",
    ],
    "q3": [
        # A missing key counts as a match.
        "import ipaddress as _ip, re as _re\n"
        "def conditions_hold(condition, context):\n"
        "    values = {k.lower(): v for k, v in (context or {}).items()}\n"
        "    for operator, tests in (condition or {}).items():\n"
        "        for key, allowed in tests.items():\n"
        "            if key.lower() not in values:\n"
        "                continue\n"
        "            allowed = allowed if isinstance(allowed, list) else [allowed]\n"
        "            if not any(_value_matches(operator, a, values[key.lower()]) for a in allowed):\n"
        "                return False\n"
        "    return True\n",
        # Any key may hold (OR across keys instead of AND).
        "def conditions_hold(condition, context):\n"
        "    values = {k.lower(): v for k, v in (context or {}).items()}\n"
        "    for operator, tests in (condition or {}).items():\n"
        "        if not any(key.lower() in values and any(_value_matches(operator, a, values[key.lower()])\n"
        "                   for a in (allowed if isinstance(allowed, list) else [allowed]))\n"
        "                   for key, allowed in tests.items()):\n"
        "            return False\n"
        "    return True\n",
        # Condition key names compared with case: aws:sourceip in the policy misses aws:SourceIp in the request.
        "def conditions_hold(condition, context):\n"
        "    for operator, tests in (condition or {}).items():\n"
        "        for key, allowed in tests.items():\n"
        "            if key not in (context or {}):\n"
        "                return False\n"
        "            allowed = allowed if isinstance(allowed, list) else [allowed]\n"
        "            if not any(_value_matches(operator, a, context[key]) for a in allowed):\n"
        "                return False\n"
        "    return True\n",
        # StringEquals ignores case.
        "_right_value_matches = _value_matches\n"
        "def _value_matches(operator, allowed, value):\n"
        "    if operator == 'StringEquals':\n"
        "        return str(value).lower() == str(allowed).lower()\n"
        "    return _right_value_matches(operator, allowed, value)\n",
    ],
    "q4": [
        # The first applicable statement decides: an earlier Allow beats a later Deny.
        "def evaluate(policies, request):\n"
        "    for policy in policies:\n"
        "        statements = policy['Statement'] if isinstance(policy['Statement'], list) else [policy['Statement']]\n"
        "        for st in statements:\n"
        "            if statement_matches(st, request) and conditions_hold(st.get('Condition', {}), request.get('context', {})):\n"
        "                return 'ALLOW' if st['Effect'] == 'Allow' else 'EXPLICIT_DENY'\n"
        "    return 'IMPLICIT_DENY'\n",
        # Ignores conditions on Deny statements.
        "def evaluate(policies, request):\n"
        "    allowed = False\n"
        "    for policy in policies:\n"
        "        statements = policy['Statement'] if isinstance(policy['Statement'], list) else [policy['Statement']]\n"
        "        for st in statements:\n"
        "            if not statement_matches(st, request):\n"
        "                continue\n"
        "            if st['Effect'] == 'Deny':\n"
        "                return 'EXPLICIT_DENY'\n"
        "            allowed = allowed or conditions_hold(st.get('Condition', {}), request.get('context', {}))\n"
        "    return 'ALLOW' if allowed else 'IMPLICIT_DENY'\n",
        # Hands in the library's evaluator.
        "from labsupport.security.iam import PolicySet as _PS, Request as _Rq, evaluate as _library\n"
        "def evaluate(policies, request):\n"
        "    r = _Rq('arn:aws:iam::111122223333:user/ana', request['action'], request['resource'], request.get('context', {}))\n"
        "    return _library(r, _PS(identity=policies)).decision.value\n",
    ],
    "q5": [
        # The boundary grants by itself: identity OR boundary.
        "def evaluate_with_boundary(policies, boundary, request):\n"
        "    if boundary is None:\n"
        "        return evaluate(policies, request)\n"
        "    a, b = evaluate(policies, request), evaluate([boundary], request)\n"
        "    if 'EXPLICIT_DENY' in (a, b):\n"
        "        return 'EXPLICIT_DENY'\n"
        "    return 'ALLOW' if 'ALLOW' in (a, b) else 'IMPLICIT_DENY'\n",
        # Uses only the boundary's Allow statements: its Deny statements are forgotten.
        "def evaluate_with_boundary(policies, boundary, request):\n"
        "    decision = evaluate(policies, request)\n"
        "    if boundary is None or decision != 'ALLOW':\n"
        "        return decision\n"
        "    statements = boundary['Statement'] if isinstance(boundary['Statement'], list) else [boundary['Statement']]\n"
        "    allows = [s for s in statements if s['Effect'] == 'Allow']\n"
        "    return 'ALLOW' if evaluate([{'Statement': allows}], request) == 'ALLOW' else 'IMPLICIT_DENY'\n",
    ],
}
