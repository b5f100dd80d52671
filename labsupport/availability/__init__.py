"""Part III, Chapter 4 (High availability): keeping a service up while its parts fail.

==============================  ================================================================
Book page                       Module
==============================  ================================================================
4.1 Load balancing              :mod:`~labsupport.availability.load_balancing`
4.2 Failure detection           :mod:`~labsupport.availability.failure_detection`
4.3 Failover                    :mod:`~labsupport.availability.failover`
4.4 Auto scaling                :mod:`~labsupport.availability.auto_scaling`
4.5 Retries                     :mod:`~labsupport.availability.retries`, :mod:`~labsupport.availability.metastable`
4.6 Isolation                   :mod:`~labsupport.availability.isolation`
4.7 Cross-Region                :mod:`~labsupport.availability.cross_region`
4.8 Availability arithmetic     :mod:`~labsupport.foundations.availability`, :mod:`~labsupport.availability.correlated_failures`
==============================  ================================================================
"""
