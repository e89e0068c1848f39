"""Payment provider adapters: WeChat Pay, Alipay, UnionPay and an aggregator, over HTTP.

``signing`` holds the wire-level cryptography (pinned by the official vectors in
``shared/protocols/payments.md`` §7); the clients build on it and never log keys or codes.
"""
