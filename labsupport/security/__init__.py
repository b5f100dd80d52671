"""Part III, Chapter 5 (Security): who may do what, what can reach what, and what an attacker can read.

=====================  ==========================================================================
Book page              Module
=====================  ==========================================================================
5.1 IAM                :mod:`~labsupport.security.iam`
5.2 VPC                :mod:`~labsupport.security.vpc`
5.3 Encryption         :mod:`~labsupport.security.encryption`
5.4 DDoS               :mod:`~labsupport.security.ddos`, :mod:`~labsupport.security.ratelimit`
=====================  ==========================================================================
"""
