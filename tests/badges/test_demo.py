import random

from badges.demo import seed_demo
from badges.models import Badge, BadgeLayout
from tests.badges.conftest import make_delegate


def test_seed_demo_creates_layouts_and_badges_idempotently(congress):
    for _ in range(3):
        make_delegate(congress)
    first = seed_demo(congress=congress, rng=random.Random(1))
    assert first == {"badge_layouts": 5, "badges": 3}
    secrets = set(Badge.objects.values_list("secret", flat=True))
    again = seed_demo(congress=congress, rng=random.Random(1))
    assert again == {"badge_layouts": 0, "badges": 0}
    assert set(Badge.objects.values_list("secret", flat=True)) == secrets
    assert BadgeLayout.objects.filter(congress=congress, is_default=True).count() == 1
