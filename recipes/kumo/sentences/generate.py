"""Write ``generated.txt``: sentences from a small hand-written grammar.

The frames and word lists below were written for this project. They add what
free prose tends to lack in a few hundred lines: numbers in every form the
cleaners expand (counts, years, times, money, percentages, ordinals,
decimals), abbreviations, and rarer English sounds. Seeded, so the file is
the same on every run.

    python recipes/kumo/sentences/generate.py            # 760 sentences
"""

import argparse
import random
from pathlib import Path

NAMES = ["Anna", "Marcus", "Priya", "Tom", "Lucia", "Owen", "Grace", "Hiroshi", "Nadia", "Felix", "Ruth",
         "Jamal", "Chloe", "Victor", "Ingrid", "Zoe", "Theo", "Yusuf", "Beatrice", "Quentin", "Joy", "Vaughn"]
TITLES = ["Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "Capt."]
SURNAMES = ["Hughes", "Okafor", "Lindqvist", "Thatcher", "Moreau", "Vasquez", "Zhang", "Bishop", "Garrow",
            "Wexley", "Fitzroy", "Judge", "Pugh", "Sharma"]
STREETS = ["Elm St.", "Baker St.", "Fifth Ave.", "Mill Rd.", "Harbor Blvd.", "Queen St.", "Oak Ave."]
PLACES = ["the library", "the harbor", "the museum", "the old mill", "the station", "the garden",
          "the bakery", "the village hall", "the clinic", "the workshop", "the zoo", "the theater"]
CITIES = ["Boston", "Leeds", "Denver", "Oslo", "Cairo", "Geneva", "Austin", "Dublin", "Quebec", "Seville"]
THINGS = ["bicycles", "jars of jam", "violins", "pairs of boots", "maps", "lanterns", "chairs", "envelopes",
          "oysters", "pencils", "measuring cups", "wool scarves", "yachts", "thermometers", "cushions"]
ADJS = ["quiet", "bright", "heavy", "smooth", "ancient", "curious", "rough", "genuine", "fragile", "vivid",
        "beige", "thorough", "cheerful", "gloomy", "joyful", "awkward", "usual", "rich", "narrow", "soothing"]
NOUNS = ["window", "engine", "orchard", "bridge", "choir", "journey", "treasure", "puzzle", "voyage",
         "whistle", "measure", "harbor", "ledger", "thicket", "mirage", "garage", "rhythm", "thunder"]
VERBS_PAST = ["fixed", "painted", "carried", "measured", "watched", "judged", "shared", "chose", "washed",
              "rescued", "sketched", "thanked", "weighed", "borrowed", "polished", "returned"]
MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money(rng):
    if rng.random() < 0.5:
        return f"${rng.randint(1, 99)}.{rng.randint(0, 99):02d}"
    return f"${rng.choice([5, 12, 40, 75, 120, 300, 1500, 2400, 12000]):,}"


def clock(rng):
    hour, minute = rng.randint(1, 12), rng.choice([0, 5, 15, 20, 30, 45, 50])
    text = f"{hour}:{minute:02d}" if minute else f"{hour}"
    return text + rng.choice([" a.m.", " p.m.", ""]) if minute else text + rng.choice([" a.m.", " p.m."])


def person(rng):
    if rng.random() < 0.4:
        return f"{rng.choice(TITLES)} {rng.choice(SURNAMES)}"
    return rng.choice(NAMES)


FRAMES = [
    lambda r: f"{person(r)} bought {r.randint(2, 19)} {r.choice(THINGS)} for {money(r)}.",
    lambda r: f"The {r.choice(NOUNS)} was built in {r.randint(1650, 2024)} near {r.choice(CITIES)}.",
    lambda r: f"Meet me at {r.choice(PLACES)} at {clock(r)}.",
    lambda r: f"Prices rose by {r.randint(2, 60)}% in {r.choice(MONTHS)} {r.randint(1990, 2030)}.",
    lambda r: f"{person(r)} lives at {r.randint(3, 950)} {r.choice(STREETS)}, not far from {r.choice(PLACES)}.",
    lambda r: f"On {r.choice(MONTHS)} {ordinal(r.randint(1, 28))}, {person(r)} {r.choice(VERBS_PAST)} "
              f"the {r.choice(ADJS)} {r.choice(NOUNS)}.",
    lambda r: f"Is the {r.choice(NOUNS)} really {r.choice(ADJS)}, or does it only look that way?",
    lambda r: f"{r.choice(NAMES)} finished {ordinal(r.randint(1, 40))} out of {r.randint(41, 300)} runners.",
    lambda r: f"The recipe needs {r.randint(2, 9)}.{r.randint(1, 9)} cups of flour and {r.randint(2, 6)} eggs.",
    lambda r: f"\"Have you seen my {r.choice(NOUNS)}?\" asked {person(r)}.",
    lambda r: f"Every {r.choice(DAYS)}, {r.choice(NAMES)} walks {r.randint(2, 15)} miles to {r.choice(PLACES)}.",
    lambda r: f"What a {r.choice(ADJS)} {r.choice(NOUNS)}!",
    lambda r: f"The train to {r.choice(CITIES)} leaves from platform {r.randint(1, 12)} at {clock(r)}.",
    lambda r: f"{person(r)} {r.choice(VERBS_PAST)} the {r.choice(NOUNS)}; then {r.choice(NAMES)} "
              f"{r.choice(VERBS_PAST)} it again.",
    lambda r: f"Room No. {r.randint(2, 480)} is on the {ordinal(r.randint(2, 12))} floor.",
    lambda r: f"About {r.randint(2, 98):,},{r.randint(0, 999):03d} people visited {r.choice(CITIES)} last year.",
    lambda r: f"Bring {r.choice(THINGS)}, {r.choice(THINGS)}, and {r.choice(THINGS)}, e.g. the "
              f"{r.choice(ADJS)} ones.",
    lambda r: f"Why did {person(r)} leave {r.choice(PLACES)} so early on {r.choice(DAYS)}?",
    lambda r: f"The {r.choice(ADJS)} {r.choice(NOUNS)} and the {r.choice(ADJS)} {r.choice(NOUNS)} "
              f"stood side by side.",
    lambda r: f"{r.choice(NAMES)} scored {r.randint(0, 9)} vs. {r.randint(0, 9)} in the {ordinal(r.randint(1, 9))} game.",
    lambda r: f"It costs {money(r)}, i.e. less than last time.",
    lambda r: f"Yes, {r.choice(NAMES)}, the {r.choice(NOUNS)} is ready.",
    lambda r: f"In {r.randint(1800, 2020)}, only {r.randint(3, 40)} {r.choice(THINGS)} were left in "
              f"{r.choice(CITIES)}.",
    lambda r: f"Turn left on {r.choice(STREETS)}, walk {r.randint(2, 9)}00 yards, and stop at {r.choice(PLACES)}.",
    lambda r: "No, not today!",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=760)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("generated.txt"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen = {}
    while len(seen) < args.count:
        sentence = rng.choice(FRAMES)(rng)
        seen.setdefault(sentence.replace("..", "."), None)
    args.out.write_text("\n".join(seen) + "\n", encoding="utf-8")
    print(f"{len(seen)} sentences -> {args.out}")


if __name__ == "__main__":
    main()
