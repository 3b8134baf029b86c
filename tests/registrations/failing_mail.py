"""A mail backend that refuses one address (or every message): a failure in tests."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    refused = None  # None: refuse everything; else the one address refused

    def send_messages(self, messages):
        from django.core import mail

        sent = 0
        for message in messages:
            if self.refused is None or self.refused in message.to:
                raise ConnectionRefusedError("refused by the test backend")
            mail.outbox.append(message)
            sent += 1
        return sent


class RefuseOne(FailingBackend):
    refused = "refuse@city.example"
