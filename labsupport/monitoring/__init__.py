"""Part III, Chapter 6 (Monitoring): seeing what a system does, and acting on it.

=========================  ======================================================================
Book page                  Module
=========================  ======================================================================
6.1 Metrics                :mod:`~labsupport.monitoring.cloudwatch`, :mod:`~labsupport.monitoring.incident`
6.2 Alarms                 :mod:`~labsupport.monitoring.cloudwatch`, :mod:`~labsupport.monitoring.incident`
6.3 AWS Config             :mod:`~labsupport.monitoring.config`
6.4 Systems Manager        :mod:`~labsupport.monitoring.systems_manager`
6.5 Trusted Advisor        :mod:`~labsupport.monitoring.trusted_advisor`
=========================  ======================================================================
"""
