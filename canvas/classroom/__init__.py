"""Classes, assignments, hand-in and review.

    classes.py      classes, join codes, membership, the roster and co-teachers
    roster.py       adding students by name and e-mail, one or a CSV file at a time
    assignments.py  assignments, dates and extensions, starting, handing in, taking back
    locks.py        whether a canvas is locked because its work is handed in
    review.py       the teacher's marking (an editor of the save protocol), release, what a
                    student sees, and what changed between two attempts
    counts.py       "needs marking" and "new feedback"
    forms.py        the forms; views.py, teaching.py, learning.py: blueprint `classroom`

Everything but the views takes explicit arguments (no request, no session) and leaves the
commit to the caller's write transaction.
"""
