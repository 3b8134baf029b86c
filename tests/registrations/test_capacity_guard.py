import pytest

from registrations import capacity


@pytest.mark.django_db(transaction=True)
def test_capacity_lock_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        capacity.lock_capacity(congress_id=1)
