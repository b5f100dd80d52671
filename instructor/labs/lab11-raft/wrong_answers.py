"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly. Part B's class extends
Part A's and Part C's extends Part B's, so a wrong method patched onto an earlier class is inherited.
"""

WRONG = {
    "q1": [
        # Votes for every candidate of its term: two candidates of one term can both win.
        "def _vote_for_anyone(self, msg):\n"
        "    ask = msg.payload\n"
        "    if ask.term > self.current_term:\n"
        "        self.step_down(ask.term)\n"
        "    granted = ask.term == self.current_term\n"
        "    if granted:\n"
        "        self.voted_for = ask.candidate\n"
        "        self.reset_election_timer()\n"
        "    self.save()\n"
        "    self.reply(msg, 'vote', Vote(self.current_term, granted))\n"
        "ElectionNode.on_request_vote = _vote_for_anyone\n",
        # A leader that never sends heartbeats: followers keep timing out and electing new leaders.
        "def _one_heartbeat(self, term):\n"
        "    if self.role == 'leader' and term == self.current_term:\n"
        "        for peer in self.peers:\n"
        "            self.send_append(peer)\n"
        "ElectionNode.heartbeat = _one_heartbeat\n",
    ],
    "q2": [
        # The commit rule without its term check: commits an earlier term's entry by counting replicas.
        "def _count_any_term(self):\n"
        "    for index in range(len(self.entries), self.commit_index, -1):\n"
        "        if 1 + sum(match >= index for match in self.match_index.values()) >= self.majority:\n"
        "            self.commit_index = index\n"
        "            self.apply_committed()\n"
        "            break\n"
        "LogNode.advance_commit = _count_any_term\n",
        # Grants a vote without the up-to-date-log check: a candidate missing committed entries can win.
        "def _vote_without_log_check(self, msg):\n"
        "    ask = msg.payload\n"
        "    if ask.term > self.current_term:\n"
        "        self.step_down(ask.term)\n"
        "    granted = ask.term == self.current_term and self.voted_for in (None, ask.candidate)\n"
        "    if granted:\n"
        "        self.voted_for = ask.candidate\n"
        "        self.reset_election_timer()\n"
        "    self.save()\n"
        "    self.reply(msg, 'vote', Vote(self.current_term, granted))\n"
        "ElectionNode.on_request_vote = _vote_without_log_check\n",
    ],
    "q3": [
        # Persists the log but not the term and the vote: after a restart it can vote twice in one term.
        "class KVNode(LogNode):\n"
        "    def save(self):\n"
        "        self.persist(log=list(self.entries))\n"
        "    def on_recover(self):\n"
        "        self.entries = list(self.storage.get('log', []))\n"
        "        self.reset_election_timer()\n",
        # A leader answers gets from its own store: after losing its majority it serves stale reads.
        "class KVNode(LogNode):\n"
        "    def save(self):\n"
        "        self.persist(term=self.current_term, voted_for=self.voted_for, log=list(self.entries))\n"
        "    def on_recover(self):\n"
        "        self.current_term = self.storage.get('term', 0)\n"
        "        self.voted_for = self.storage.get('voted_for')\n"
        "        self.entries = list(self.storage.get('log', []))\n"
        "        self.reset_election_timer()\n"
        "    def on_client_request(self, msg):\n"
        "        command = msg.payload\n"
        "        if self.role == 'leader' and command.op == 'get':\n"
        "            self.send(msg.src, 'client_reply', ClientReply(command.seq, True, self.kv.get(command.key)))\n"
        "            return\n"
        "        super().on_client_request(msg)\n",
        # Keeps every attribute across a crash instead of persisting (the kernel's flag turned off): refused.
        "class KVNode(LogNode):\n"
        "    forgets_on_crash = False\n"
        "    def save(self):\n"
        "        pass\n"
        "    def on_recover(self):\n"
        "        self.reset_election_timer()\n",
        # Hands in the book's own Raft for every part: scores zero.
        "from labsupport.agreement import raft as _book_raft\n"
        "ElectionNode = LogNode = KVNode = _book_raft.RaftNode\n",
    ],
}
