"""Encryption (page 5.3): envelope encryption as AWS KMS does it (:mod:`.envelope`) and Amazon S3's server-side encryption choices (:mod:`.sse`)."""
