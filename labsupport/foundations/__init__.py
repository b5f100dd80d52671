"""Part I, Chapter 1 (Foundations): what a distributed system is, and the arithmetic under it.

========================================  ==========================================
Book page                                 Module
========================================  ==========================================
1.1 Decentralization                      :mod:`~labsupport.foundations.availability`
1.2 Scalability                           :mod:`~labsupport.foundations.scalability`
1.3 Concurrency                           :mod:`~labsupport.foundations.clocks`, :mod:`~labsupport.foundations.kvstore`
1.4 Fault tolerance                       :mod:`~labsupport.foundations.redundancy`
(queueing closed forms, used from 1.2 on) :mod:`~labsupport.foundations.queueing`
========================================  ==========================================
"""
