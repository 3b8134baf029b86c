"""Read-only checks of what the services promise (seats within capacity, money matching order
statuses, gap-free invoice numbers, badges only for delegates who count), for
``manage.py check_integrity``. Part of the site: the one layer that may read every app."""
