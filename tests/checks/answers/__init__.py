"""Realistic answers to every auto-checked exercise, one table per lesson (``lessonNN.py``).

Each table is a dict ``ANSWERS`` from exercise id to ``{"right": [...], "wrong": [...]}``:
``right`` holds answers a good tutor marks correct, written the ways learners write them (code
as typed in the answer cell, or a plain value); ``wrong`` holds ``(answer, reason)`` pairs:
answers people really give, with the name of the reason the check must give (a declared
misconception, or a shared reason such as ``rounded-too-far`` or ``not-an-option``). Answers
are Python source run in the lesson's own namespace (its ready-made cells, run in order with
the worked answers filled in), so ``data``, ``by_group``, ``ex`` and the rest are there.
``SETUP`` (optional) is run after the lesson's cells.
"""
