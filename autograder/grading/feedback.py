"""Feedback files (GRADES-feedback/ID.md): per question, which tests passed; public failures with
their message, hidden ones as "hidden test N failed — REASON" with a reason that names no input, value
or message of the test (judge.CaseResult.reason); then notes on the cells that raised."""
from .gradebook import fmt


def header(assignment, sid, row):
    return (f"# {assignment.module_id}: feedback for {sid}\n\n"
            f"**Score: {fmt(row.total)} / {fmt(assignment.possible)}** ({fmt(row.percent)}%)  \n"
            f"Status: {row.status}\n")


def feedback(assignment, sub, row, results, errors, reference_imports):
    """The feedback file of one submission (Markdown)."""
    out = [header(assignment, sub.id, row)]
    if sub.cells is None:
        out.append(f"\nYour file could not be graded: {sub.problem}. Submit the notebook "
                   f"({assignment.module_id}.ipynb) or the zip file that `grader.export()` makes.\n")
    for q in assignment.questions:
        mine = [r for r in results if r.case.question == q.name]
        if not mine:
            continue
        got = row.scores.get(q.name, 0.0)
        out.append(f"\n## {q.name}: {fmt(got)} / {fmt(q.possible)}"
                   + (" (all or nothing)" if q.all_or_nothing else "") + "\n")
        public = hidden = 0
        for r in mine:
            if r.case.hidden:
                hidden += 1
                out.append(f"- hidden test {hidden} {'passed' if r.passed else 'failed — ' + (r.reason or 'failed')}\n")
            else:
                public += 1
                line = "passed" if r.passed else "failed — " + r.message.replace("\n", " ")
                out.append(f"- public test {public} {line}\n")
    notes = []
    for e in errors[:10]:
        err = e["error"]
        line = f" (line {err['line']})" if isinstance(err.get("line"), int) else ""
        first = next((src.strip().splitlines()[0] for n, src in (sub.cells or []) if n == e.get("cell")
                      and src.strip()), "")
        notes.append(f"- Cell {e.get('cell')} (`{first[:60]}`) raised {str(err.get('type'))[:60]}{line}: "
                     f"{str(err.get('message') or '')[:300]}")
    if len(errors) > 10:
        notes.append(f"- … and {len(errors) - 10} more cells raised errors")
    if reference_imports:
        notes.append(f"- Your notebook uses {', '.join(reference_imports)} from the tinytorch package: while grading "
                     f"{assignment.module_id} the grader provides only the reference code of earlier modules (this "
                     "module's functions raise NotImplementedError there), so your notebook must use the code it "
                     "defines itself.")
    if notes:
        out.append("\n## Notes\n" + "\n".join(notes) + "\n")
    text = "".join(out)
    return text if text.endswith("\n") else text + "\n"


def grader_failed(assignment, sid, row):
    """The feedback file of a submission the grader itself failed on."""
    return header(assignment, sid, row) + "\nThe grader failed on this submission; your instructor will look at it.\n"
