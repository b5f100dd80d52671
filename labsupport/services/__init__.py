"""Part II, Chapter 2 (Services): models of the AWS services the book starts from.

=====================  ===========================================
Book page              Module
=====================  ===========================================
2.1 Amazon S3          :mod:`~labsupport.services.s3`
2.2 Amazon EC2         :mod:`~labsupport.services.ec2` (placement)
2.3 Amazon DynamoDB    :mod:`~labsupport.services.dynamodb`
2.4 Amazon RDS         :mod:`~labsupport.services.rds`
=====================  ===========================================
"""
