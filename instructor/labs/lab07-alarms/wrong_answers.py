"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

_EVALUATE_HEAD = (
    "def evaluate(window, m, n, treat_missing_data='missing', previous_state=INSUFFICIENT_DATA):\n"
    "    if treat_missing_data not in TREATMENTS:\n"
    "        raise ValueError('treat_missing_data')\n"
    "    real = [(age, b) for age, b in enumerate(reversed(window), start=1) if b is not None]\n"
    "    if not real:\n"
    "        return {'missing': INSUFFICIENT_DATA, 'ignore': previous_state, 'breaching': ALARM,\n"
    "                'notBreaching': OK}[treat_missing_data]\n"
)

WRONG = {
    "q1": [
        # Counts breaches in the whole window, not only in the last n datapoints.
        "def m_of_n(window, m, n):\n"
        "    if n < 1:\n"
        "        raise ValueError('evaluation_periods')\n"
        "    if not 1 <= m <= n:\n"
        "        raise ValueError('datapoints_to_alarm')\n"
        "    if len(window) < n:\n"
        "        raise ValueError('window')\n"
        "    return ALARM if sum(window) >= m else OK\n",
        # Wants m breaching datapoints in a row ("M consecutive") instead of M out of N.
        "def m_of_n(window, m, n):\n"
        "    if n < 1:\n"
        "        raise ValueError('evaluation_periods')\n"
        "    if not 1 <= m <= n:\n"
        "        raise ValueError('datapoints_to_alarm')\n"
        "    if len(window) < n:\n"
        "        raise ValueError('window')\n"
        "    run = best = 0\n"
        "    for b in window[-n:]:\n"
        "        run = run + 1 if b else 0\n"
        "        best = max(best, run)\n"
        "    return ALARM if best >= m else OK\n",
        # Wraps the library's evaluator (labsupport.monitoring.cloudwatch.evaluate_window).
        "from labsupport.monitoring.cloudwatch import evaluate_window as _library\n"
        "def m_of_n(window, m, n):\n"
        "    if len(window) < n:\n"
        "        raise ValueError('window')\n"
        "    return _library(window, datapoints_to_alarm=m, evaluation_periods=n).state\n",
    ],
    "q2": [
        # Forgets the rule that avoids waiting when only an old breach is known ("- - X - -" stays undecided).
        _EVALUATE_HEAD +
        "    if len(real) >= n:\n"
        "        return ALARM if sum(b for _, b in real[:n]) >= m else OK\n"
        "    k = sum(b for _, b in real)\n"
        "    if treat_missing_data in ('breaching', 'notBreaching'):\n"
        "        return ALARM if k + (n - len(real) if treat_missing_data == 'breaching' else 0) >= m else OK\n"
        "    if k >= m:\n"
        "        return ALARM\n"
        "    if k < len(real):\n"
        "        return OK\n"
        "    return INSUFFICIENT_DATA if treat_missing_data == 'missing' else previous_state\n",
        # Uses every real datapoint in the range, not the n most recent, when there are enough.
        _EVALUATE_HEAD +
        "    k = sum(b for _, b in real)\n"
        "    if len(real) >= n:\n"
        "        return ALARM if k >= m else OK\n"
        "    if treat_missing_data in ('breaching', 'notBreaching'):\n"
        "        return ALARM if k + (n - len(real) if treat_missing_data == 'breaching' else 0) >= m else OK\n"
        "    if k >= m:\n"
        "        return ALARM\n"
        "    if k == len(real) and real[-1][0] >= m:\n"
        "        return ALARM if treat_missing_data == 'missing' else previous_state\n"
        "    if k < len(real):\n"
        "        return OK\n"
        "    return INSUFFICIENT_DATA if treat_missing_data == 'missing' else previous_state\n",
        # Treats 'ignore' exactly like 'missing'.
        _EVALUATE_HEAD.replace("'ignore': previous_state", "'ignore': INSUFFICIENT_DATA") +
        "    if len(real) >= n:\n"
        "        return ALARM if sum(b for _, b in real[:n]) >= m else OK\n"
        "    k = sum(b for _, b in real)\n"
        "    if treat_missing_data in ('breaching', 'notBreaching'):\n"
        "        return ALARM if k + (n - len(real) if treat_missing_data == 'breaching' else 0) >= m else OK\n"
        "    if k >= m:\n"
        "        return ALARM\n"
        "    if k == len(real) and real[-1][0] >= m:\n"
        "        return ALARM\n"
        "    if k < len(real):\n"
        "        return OK\n"
        "    return INSUFFICIENT_DATA\n",
        # Wraps the library's evaluator.
        "from labsupport.monitoring.cloudwatch import evaluate_window as _library\n"
        "def evaluate(window, m, n, treat_missing_data='missing', previous_state=INSUFFICIENT_DATA):\n"
        "    return _library(window, datapoints_to_alarm=m, evaluation_periods=n, treat_missing_data=treat_missing_data,\n"
        "                    previous_state=previous_state).state\n",
    ],
    "q3": [
        # Breaches at the threshold (>=) instead of above it.
        "def run_alarm(values, threshold, m, n, treat_missing_data='missing', evaluation_range=None, rule=evaluate):\n"
        "    r = n + 2 if evaluation_range is None else evaluation_range\n"
        "    flags = [None if v is None else v >= threshold for v in values]\n"
        "    state, states = INSUFFICIENT_DATA, []\n"
        "    for i in range(len(flags)):\n"
        "        window = [None] * max(0, r - 1 - i) + flags[max(0, i - r + 1): i + 1]\n"
        "        state = rule(window, m, n, treat_missing_data, state)\n"
        "        states.append(state)\n"
        "    return states\n",
        # Passes OK as the previous state every time instead of the state the last evaluation left.
        "def run_alarm(values, threshold, m, n, treat_missing_data='missing', evaluation_range=None, rule=evaluate):\n"
        "    r = n + 2 if evaluation_range is None else evaluation_range\n"
        "    flags = [None if v is None else v > threshold for v in values]\n"
        "    states = []\n"
        "    for i in range(len(flags)):\n"
        "        window = [None] * max(0, r - 1 - i) + flags[max(0, i - r + 1): i + 1]\n"
        "        states.append(rule(window, m, n, treat_missing_data, OK))\n"
        "    return states\n",
        # Wraps the library's alarm (labsupport.monitoring.cloudwatch.evaluate_alarm).
        "from labsupport.monitoring.cloudwatch import MetricAlarm as _Alarm, evaluate_alarm as _run\n"
        "def run_alarm(values, threshold, m, n, treat_missing_data='missing', evaluation_range=None, rule=evaluate):\n"
        "    alarm = _Alarm(threshold=threshold, evaluation_periods=n, datapoints_to_alarm=m,\n"
        "                   treat_missing_data=treat_missing_data, evaluation_range=evaluation_range or n + 2)\n"
        "    return [e.state for e in _run(alarm, values)]\n",
    ],
}
