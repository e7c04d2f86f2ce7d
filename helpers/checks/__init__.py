"""Self-checks for the exercise notebooks in ``exercises/``: one function per task, ``check_NN_taskK``.

``NN`` is the teaching notebook the exercises belong to and ``K`` the task. A check tests *properties*
of a student's answer (shapes, values within a tolerance of an independent recomputation, a loss that
falls, a threshold reached) and then either prints one line::

    ✅ Task K passed: <what was verified>

or raises :class:`CheckFailed` (an ``AssertionError``) whose message says what is wrong and where it
is taught::

    ❌ Task K: <what is wrong>. Hint: <hint> (taught in <notebook>, section '<section>').

Raising is what makes a wrong solution notebook fail its nbval run. No check stores the answer it
expects: each recomputes it from the course's data, with another method than the one the task asks
for where the task is itself a computation, or tests a property only a right answer has; no failure
prints the value expected, and a hint names the idea first, saying more only on the task's second
failure. Every check is decorated with :func:`helpers.checks.task.guarded`, so any exception a
student's object raises inside it becomes the check's own message. Checks never
change the student's objects (a model is cloned before it is trained). Checks that train a model seed
their models from fixed seeds (``seed=0``), never through a global random state, so they pass or fail
the same way every time. Each takes a few seconds at most, in both modes. The checks of notebooks 03 and
later import Keras when they run, so that importing this module (and notebook 02's exercises) stays light.

With ``EIAM_LANG=zh`` every line is in Chinese (``✅ 任务 K 通过：…``, ``❌ 任务 K：…。提示：…``), naming the section
by its heading in the Chinese edition (``translations/zh/notebooks/<notebook>.md``).

To add the checks of a new exercise notebook: define its tasks with :class:`Task` (the section's heading in both
editions), put every sentence its checks say in the module's :class:`helpers.messages.Catalog`, ``msg``, in English
and Chinese, and use :meth:`Task.answered`, :meth:`Task.number_from`, :meth:`Task.array_from`,
:meth:`Task.classifier_from` and :meth:`Task.call` to turn anything a student may pass (None, a stub that raises, a
list instead of an array, a model of the wrong shape) into a clear failure.
"""

from __future__ import annotations

from helpers.checks.notebook02 import check_02_task1, check_02_task2, check_02_task3
from helpers.checks.notebook03 import check_03_task1, check_03_task2, check_03_task3, check_03_task4, check_03_task5
from helpers.checks.notebook04 import check_04_task1, check_04_task2, check_04_task3, check_04_task4
from helpers.checks.notebook05 import check_05_task1, check_05_task2, check_05_task3, check_05_task4
from helpers.checks.notebook06 import check_06_task1, check_06_task2, check_06_task3
from helpers.checks.notebook08 import check_08_task1, check_08_task2, check_08_task3, check_08_task4
from helpers.checks.task import NO_ANSWER_HINT, CheckFailed, Task

__all__ = [
    "NO_ANSWER_HINT",
    "CheckFailed",
    "Task",
    "check_02_task1",
    "check_02_task2",
    "check_02_task3",
    "check_03_task1",
    "check_03_task2",
    "check_03_task3",
    "check_03_task4",
    "check_03_task5",
    "check_04_task1",
    "check_04_task2",
    "check_04_task3",
    "check_04_task4",
    "check_05_task1",
    "check_05_task2",
    "check_05_task3",
    "check_05_task4",
    "check_06_task1",
    "check_06_task2",
    "check_06_task3",
    "check_08_task1",
    "check_08_task2",
    "check_08_task3",
    "check_08_task4",
]
