"""Mechanisms, a deterministic simulation kernel and figures for *Distributed Systems on AWS*.

Chapters and labs import this package. The direction of imports is the
architecture: mechanism modules import :mod:`labsupport.sim`; only
:mod:`labsupport.viz` draws.
"""

__version__ = "0.1.0"
