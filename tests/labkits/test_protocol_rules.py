"""A protocol lab's node class may not redefine the kernel's own names (labsupport.labkits.protocol.lab_node)."""

import pytest

from labsupport.labkits.protocol import lab_node
from labsupport.labkits.raftlab import RaftLabNode
from labsupport.sim import Node


class Counting(Node):
    def on_note(self, msg):
        self.seen = msg.payload

    def send(self, dst, kind, payload=None, *, reply_to=None):  # would count or drop its own messages
        return super().send(dst, kind, payload, reply_to=reply_to)


class Remembering(RaftLabNode):
    forgets_on_crash = False  # would keep its log across a crash without persisting it


class Fine(Node):
    def start(self):
        self.sent = 0

    def on_crash(self):
        self.sent = -1

    def on_note(self, msg):
        self.sent += 1


@pytest.mark.parametrize("cls, name", [(Counting, "send"), (Remembering, "forgets_on_crash")])
def test_a_class_that_redefines_a_kernel_name_is_refused_with_its_name(cls, name):
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.{name}=.*redefines a name of the kernel's Node"):
        lab_node(cls)


def test_hooks_and_handlers_are_the_student_s_to_define():
    assert lab_node(Fine).__name__ == "Fine"
    assert lab_node(RaftLabNode).forgets_on_crash is True  # the lab's own class sets it
