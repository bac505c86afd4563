"""Generate realistic journey maps for benchmarks: N stages, personas, research, every lane.

    python benchmarks/gen_maps.py OUT --count 500 --stages 8      # a project of 500 maps
    python benchmarks/gen_maps.py - --stages 30                    # one map on stdout

As a module (other benchmarks reuse it):

    from gen_maps import generate_map, write_project
    text = generate_map(stages=12, personas=2, seed=7)
    paths = write_project(folder, count=500, stages=8)

Maps are deterministic for a seed, valid against the format (every built-in lane
and a custom one, chapters, steps, moments of truth, KPIs, evidence, blueprint
lanes) and vary in their words, so text wrapping and layout do real work.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

PHASES = ["Awareness", "Research", "Comparison", "Sign-up", "Onboarding", "First use", "Purchase", "Delivery",
          "Support", "Renewal", "Upgrade", "Advocacy"]
CHANNELS = ["website", "mobile-app", "email", "social", "ad", "search", "store", "phone", "chat", "support",
            "word-of-mouth", "mail", "event", "partner", "video", "sms", "kiosk"]
VERBS = ["Compares", "Reads", "Asks about", "Searches for", "Signs up for", "Downloads", "Calls about", "Shares",
         "Books", "Pays for", "Cancels", "Reviews", "Watches a video about", "Chats about", "Waits for"]
OBJECTS = ["the pricing page", "a delivery slot", "the mobile app", "customer reviews", "the welcome email",
           "a discount code", "the contract terms", "the size chart", "a replacement part", "the loyalty programme",
           "an appointment", "the onboarding checklist", "two-factor login", "the invoice", "a refund"]
THOUGHTS = ["Is this worth the money?", "Why do they need my phone number?", "Can I trust these reviews?",
            "How long will this take?", "Will it work with what I already have?", "Who do I call if it breaks?",
            "Did my payment go through?", "Is there a cheaper plan?", "What happens to my data?"]
FEELINGS = ["Curious", "Hopeful but cautious", "Confused by the jargon", "Relieved", "Impatient",
            "Frustrated after the third transfer", "Delighted by the fast answer", "Anxious about the cost",
            "Confident"]
PAINS = ["The form forgets everything after an error", "Hidden fees appear at the last step",
         "Nobody answers the chat after 6 pm", "The confirmation email lands in spam",
         "Two departments give different answers", "The app logs out every time it is opened",
         "Tracking shows no update for three days", "The password rules are never explained"]
IDEAS = ["Save the form as the customer types", "Show the full price on the first page",
         "Call back instead of a queue", "Send a text message with the tracking link",
         "One named contact for the whole case", "Explain each step in plain words",
         "Let customers pick a delivery window", "Offer a guest checkout"]
OWNERS = ["marketing", "sales", "product", "support", "logistics", "finance", "CRM", "web team"]
FIRST = ["Maya", "Jon", "Aiko", "Lukas", "Fatima", "Daniel", "Sofia", "Omar", "Grace", "Mateo", "Lena", "Ravi"]
LAST = ["Keller", "Berger", "Tanaka", "Schmidt", "Haddad", "Osei", "Rossi", "Farouk", "Hughes", "Silva"]
ROLES = ["Nurse and parent of two", "Design student", "Retired teacher", "Small-business owner", "Shift supervisor",
         "Freelance translator", "IT administrator", "Commuter with a long ride"]
KINDS = ["analytics", "survey", "interview", "usability-test", "support-tickets", "sales-staff", "observation"]
SEVERITIES = ["low", "medium", "high", "critical"]
PRIORITIES = ["low", "medium", "high"]
SYSTEMS = ["Billing system", "Order API", "Ticket queue", "Data warehouse"]


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate_map(stages: int = 8, personas: int = 2, seed: int = 0, *, title: str | None = None) -> str:
    """The YAML text of one realistic, valid journey map."""
    rng = random.Random(seed)
    people = [(f"p{i}", f"{rng.choice(FIRST)} {rng.choice(LAST)}") for i in range(personas)]
    research = [(f"r{i}", rng.choice(KINDS)) for i in range(3)]
    out = ["jmap: 1", f"title: {_q(title or f'Journey {seed}: from first contact to loyal customer')}",
           f"description: {_q('A generated journey used to measure how fast jmap builds a project.')}",
           "owner: CX team", "tags: [generated, benchmark]", f"theme: {rng.choice(['default', 'default', 'print'])}"]
    out.append("personas:" if people else "")
    for ident, name in people:
        out += [f"  - id: {ident}", f"    name: {_q(name)}", f"    role: {_q(rng.choice(ROLES))}",
                f"    age: {rng.randint(19, 78)}", f"    quote: {_q(rng.choice(THOUGHTS))}",
                f"    goals: [{_q(rng.choice(IDEAS))}]", f"    frustrations: [{_q(rng.choice(PAINS))}]"]
    out.append("research:")
    for ident, kind in research:
        study = kind.replace("-", " ").capitalize() + " study"
        out += [f"  - id: {ident}", f"    kind: {kind}", f"    title: {_q(study)}",
                f"    date: \"2026-{rng.randint(1, 12):02d}\"", f"    summary: {_q(rng.choice(PAINS))}",
                f"    sample_size: {rng.randint(5, 5000)}"]
    out += ["lanes: [actions, touchpoints, thoughts, feelings, emotion, pain_points, opportunities, kpis,",
            "        frontstage, backstage, support, {id: channels-mix, name: Channel mix}]"]
    ids = [f"s{i}" for i in range(stages)]
    thirds = [ids[: max(1, stages // 3)], ids[max(1, stages // 3): max(2, 2 * stages // 3)],
              ids[max(2, 2 * stages // 3):]]
    out.append("chapters:")
    for name, members in zip(("Before", "During", "After"), thirds, strict=True):
        if members:
            out.append(f"  - {{id: {name.lower()}, name: {name}, stages: [{', '.join(members)}]}}")
    out.append("stages:")
    for index, ident in enumerate(ids):
        out += _stage(rng, ident, index, people, research)
    return "\n".join(line for line in out if line) + "\n"


def _stage(rng: random.Random, ident: str, index: int, people: list[tuple[str, str]],
           research: list[tuple[str, str]]) -> list[str]:
    name = PHASES[index % len(PHASES)] + ("" if index < len(PHASES) else f" {index // len(PHASES) + 1}")
    # Every source is cited at least once (the first stages cite them in turn), so the map has no warning.
    cite = research[index][0] if index < len(research) else rng.choice(research)[0]
    lines = [f"  - id: {ident}", f"    name: {_q(name)}",
             f"    description: {_q(rng.choice(VERBS) + ' ' + rng.choice(OBJECTS) + ' before deciding.')}",
             f"    duration: {rng.randint(1, 10)} days", f"    evidence: [{cite}]"]
    if index % 4 == 2:
        lines.append(f"    moment_of_truth: {_q(rng.choice(THOUGHTS))}")
    lines.append("    actions:")
    lines += [f"      - {_q(rng.choice(VERBS) + ' ' + rng.choice(OBJECTS))}" for _ in range(rng.randint(1, 3))]
    lines.append("    touchpoints:")
    for _ in range(rng.randint(1, 3)):
        channel = rng.choice(CHANNELS)
        lines.append(f"      - {{channel: {channel}, name: {_q(channel.replace('-', ' ').capitalize() + ' contact')}}}")
    lines += ["    thoughts:", f"      - text: {_q(rng.choice(THOUGHTS))}", f"        evidence: [{cite}]"]
    lines += ["    feelings:", f"      - {_q(rng.choice(FEELINGS))}"]
    scores = ", ".join(f"{p}: {rng.choice([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])}" for p, _ in people)
    lines.append(f"    emotion: {{{scores}}}" if people else f"    emotion: {rng.randint(-2, 2)}")
    lines.append("    pain_points:")
    for _ in range(rng.randint(0, 2) or 1):
        lines += [f"      - text: {_q(rng.choice(PAINS))}", f"        severity: {rng.choice(SEVERITIES)}",
                  f"        evidence: [{cite}]"]
    lines += ["    opportunities:", f"      - text: {_q(rng.choice(IDEAS))}",
              f"        priority: {rng.choice(PRIORITIES)}", f"        owner: {rng.choice(OWNERS)}",
              f"        evidence: [{cite}]"]
    lines += ["    kpis:", f"      - {{name: Conversion, value: {rng.randint(1, 60)}, target: {rng.randint(10, 70)}, "
                            f"unit: \"%\", evidence: [{cite}]}}"]
    lines += ["    frontstage:", f"      - {_q('Agent ' + rng.choice(VERBS).lower() + ' ' + rng.choice(OBJECTS))}",
              "    backstage:", f"      - {_q('CRM updates ' + rng.choice(OBJECTS))}",
              "    support:", f"      - {_q(rng.choice(SYSTEMS))}",
              "    custom:", f"      channels-mix: [{_q(rng.choice(CHANNELS) + ' first')}]"]
    return lines


def generate_comparable(stages: int = 6, steps: int = 5, personas: int = 2) -> str:
    """A map comparable to a Mermaid journey of `stages` sections and `stages * steps` tasks.

    Each step holds what a Mermaid task holds (a name, a score per actor) plus an action and
    a touchpoint, so jmap draws at least as much as Mermaid does. Valid, with nothing to report.
    """
    rng = random.Random(stages * 100 + steps)
    people = [(f"p{i}", FIRST[i % len(FIRST)]) for i in range(personas)]
    out = ["jmap: 1", "title: Comparable journey", "personas:"]
    out += [f"  - {{id: {ident}, name: {name}}}" for ident, name in people]
    out.append("stages:")
    for s in range(1, stages + 1):
        out += [f"  - id: s{s}", f"    name: Stage {s}", "    steps:"]
        for t in range(1, steps + 1):
            scores = ", ".join(f"{ident}: {(s + t + i) % 5 - 2}" for i, (ident, _) in enumerate(people))
            channel = rng.choice(CHANNELS)
            out += [f"      - id: s{s}t{t}", f"        name: Task {s}.{t}",
                    f"        actions: [{_q(rng.choice(VERBS) + ' ' + rng.choice(OBJECTS))}]",
                    f"        touchpoints: [{{channel: {channel}, name: {_q(channel.capitalize())}}}]",
                    f"        emotion: {{{scores}}}"]
    return "\n".join(out) + "\n"


def write_project(folder: Path, count: int = 500, stages: int = 8, personas: int = 2, *,
                  per_folder: int = 50) -> list[Path]:
    """Write `count` maps into folder (in sub-folders of `per_folder` maps); return their paths."""
    paths = []
    for index in range(count):
        sub = folder / f"team-{index // per_folder:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"journey-{index:04d}.yaml"
        path.write_text(generate_map(stages, personas, seed=index), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="gen_maps.py")
    parser.add_argument("out", help="output folder, or - for one map on stdout")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--personas", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="with -: the seed of the one map")
    args = parser.parse_args(argv)
    if args.out == "-":
        sys.stdout.write(generate_map(args.stages, args.personas, args.seed))
        return
    paths = write_project(Path(args.out), args.count, args.stages, args.personas)
    print(f"wrote {len(paths)} maps of {args.stages} stages into {args.out}")


if __name__ == "__main__":
    main()
