"""Validation and interface phrases the worksheet engine needs, in each content language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "too_long": {
        "en": "This is {length} characters; the limit is {max}. Shorten it a little; your text is kept.",
        "da": "Teksten er på {length} tegn; grænsen er {max}. Forkort den lidt; din tekst er gemt i feltet.",
        "nb": "Teksten er på {length} tegn; grensen er {max}. Kort den ned litt; teksten din er tatt vare på i feltet.",
    },
    "not_number": {
        "en": "“{value}” is not a number. Use digits, for example 1200 or 12.5.",
        "da": "“{value}” er ikke et tal. Brug cifre, for eksempel 1200 eller 12,5.",
        "nb": "«{value}» er ikke et tall. Bruk sifre, for eksempel 1200 eller 12,5.",
    },
    "not_whole": {
        "en": "Use a whole number here (people are counted in whole numbers).",
        "da": "Brug et helt tal her (personer tælles i hele tal).",
        "nb": "Bruk et heltall her (personer telles i hele tall).",
    },
    "below_min": {
        "en": "The smallest allowed value is {min}.",
        "da": "Den mindste tilladte værdi er {min}.",
        "nb": "Den minste tillatte verdien er {min}.",
    },
    "above_max": {
        "en": "The largest allowed value is {max}.",
        "da": "Den største tilladte værdi er {max}.",
        "nb": "Den største tillatte verdien er {max}.",
    },
    "goal_range": {
        "en": "A conversion goal is a percentage between 0 and 100.",
        "da": "Et konverteringsmål er en procentsats mellem 0 og 100.",
        "nb": "Et konverteringsmål er en prosentsats mellom 0 og 100.",
    },
    "unknown_choice": {
        "en": "That choice is not on the list. Pick one of the options shown.",
        "da": "Det valg findes ikke på listen. Vælg en af de viste muligheder.",
        "nb": "Det valget finnes ikke på listen. Velg et av alternativene som vises.",
    },
    "no_step": {
        "en": "Not mapped yet",
        "da": "Ikke placeret endnu",
        "nb": "Ikke plassert ennå",
    },
}


def message(key: str, language: str, **values: object) -> str:
    """A phrase in the given language (English when missing), with values filled in."""
    table = MESSAGES[key]
    return (table.get(language) or table["en"]).format(**values)


# Words drawn into the funnel picture.
FUNNEL_WORDS: dict[str, dict[str, str]] = {
    "en": {"goal": "goal", "scale": "bar width on a log scale"},
    "da": {"goal": "mål", "scale": "søjlebredde på logaritmisk skala"},
    "nb": {"goal": "mål", "scale": "stolpebredde på logaritmisk skala"},
}


# Words of the worksheet editor itself, shown in the canvas's language.
EDITOR: dict[str, dict[str, str]] = {
    "en": {
        "step": "Step", "of": "of", "steps_done": "steps with answers", "previous": "Previous",
        "next": "Next", "save": "Save", "saved": "Saved", "saving": "Saving…",
        "offline": "Offline, will retry", "unsaved": "Not saved yet", "error": "Not saved: see the messages",
        "learn": "Learn", "hints": "Coaching", "no_hints": "Nothing to point out. Good work.",
        "draft": "Draft from your answers", "use_draft": "Fill in a draft from my answers",
        "draft_empty": "Answer a few steps first; the draft is made from your answers.",
        "conflict": "This worksheet was saved in another tab or window after you opened it.",
        "conflict_keep": "Keep my text (save it over the other)",
        "conflict_reload": "Load the other version",
        "conflict_nojs": "Your text is kept below. Press Save to keep it, or load the other version.",
        "why": "Why", "funnel": "Your ladder", "rung": "Rung", "people": "People",
        "step_col": "Step", "actual": "Actual conversion", "goal": "Goal", "gap": "Gap",
        "expected_top": "Expected at the top if every goal is met",
        "choose_ladder": "Choose a ladder to see the funnel.",
        "tactic_map": "Which step does each tactic move people up?",
        "no_tactics": "Choose tactics in the Tactics step to map them here.",
        "lifetime_value": "Customer lifetime value", "relationship_cost": "Cost of the relationship (win + keep)",
        "net": "Value left over", "verdict_yes": "Yes: a customer is worth more than the relationship costs.",
        "verdict_no": "No: the relationship costs more than a customer is worth.",
        "verdict_unknown": "Fill in all the numbers to see the verdict.",
        "five_times": "The five-times rule: winning a customer often costs over five times as much as keeping one.",
        "your_ratio": "Your numbers: winning costs {ratio} times a year of keeping.",
        "back": "Back to my canvases", "skip": "Skip to the questions", "content_for": "Learning content",
        "progress": "Progress", "replace_draft": "Replace your text with the draft?",
    },
    "da": {
        "step": "Trin", "of": "af", "steps_done": "trin med svar", "previous": "Forrige",
        "next": "Næste", "save": "Gem", "saved": "Gemt", "saving": "Gemmer…",
        "offline": "Offline, prøver igen", "unsaved": "Ikke gemt endnu", "error": "Ikke gemt: se beskederne",
        "learn": "Lær", "hints": "Vejledning", "no_hints": "Intet at bemærke. Godt arbejde.",
        "draft": "Udkast ud fra jeres svar", "use_draft": "Udfyld et udkast ud fra mine svar",
        "draft_empty": "Besvar først nogle trin; udkastet laves ud fra jeres svar.",
        "conflict": "Arbejdsarket blev gemt i en anden fane eller et andet vindue, efter I åbnede det.",
        "conflict_keep": "Behold min tekst (gem den over den anden)",
        "conflict_reload": "Hent den anden version",
        "conflict_nojs": "Jeres tekst står herunder. Tryk Gem for at beholde den, eller hent den anden version.",
        "why": "Hvorfor", "funnel": "Jeres stige", "rung": "Trin", "people": "Personer",
        "step_col": "Skridt", "actual": "Faktisk konvertering", "goal": "Mål", "gap": "Forskel",
        "expected_top": "Forventet på øverste trin, hvis alle mål nås",
        "choose_ladder": "Vælg en stige for at se tragten.",
        "tactic_map": "Hvilket skridt hjælper hver taktik folk op ad?",
        "no_tactics": "Vælg taktikker i trinnet Taktikker for at placere dem her.",
        "lifetime_value": "Kundens livstidsværdi", "relationship_cost": "Relationens omkostning (hverve + fastholde)",
        "net": "Værdi tilbage", "verdict_yes": "Ja: en kunde er mere værd, end relationen koster.",
        "verdict_no": "Nej: relationen koster mere, end en kunde er værd.",
        "verdict_unknown": "Udfyld alle tal for at se konklusionen.",
        "five_times": "Fem-gange-reglen: at hverve en kunde koster ofte over fem gange så meget som at fastholde én.",
        "your_ratio": "Jeres tal: at hverve koster {ratio} gange et års fastholdelse.",
        "back": "Tilbage til mine lærreder", "skip": "Gå til spørgsmålene", "content_for": "Læringsindhold",
        "progress": "Fremskridt", "replace_draft": "Erstat jeres tekst med udkastet?",
    },
    "nb": {
        "step": "Steg", "of": "av", "steps_done": "steg med svar", "previous": "Forrige",
        "next": "Neste", "save": "Lagre", "saved": "Lagret", "saving": "Lagrer…",
        "offline": "Frakoblet, prøver igjen", "unsaved": "Ikke lagret ennå", "error": "Ikke lagret: se meldingene",
        "learn": "Lær", "hints": "Veiledning", "no_hints": "Ingenting å påpeke. Godt jobbet.",
        "draft": "Utkast fra svarene dine", "use_draft": "Fyll ut et utkast fra svarene mine",
        "draft_empty": "Svar på noen steg først; utkastet lages fra svarene dine.",
        "conflict": "Arbeidsarket ble lagret i en annen fane eller et annet vindu etter at du åpnet det.",
        "conflict_keep": "Behold teksten min (lagre den over den andre)",
        "conflict_reload": "Hent den andre versjonen",
        "conflict_nojs": "Teksten din står nedenfor. Trykk Lagre for å beholde den, eller hent den andre versjonen.",
        "why": "Hvorfor", "funnel": "Stigen din", "rung": "Trinn", "people": "Personer",
        "step_col": "Steg", "actual": "Faktisk konvertering", "goal": "Mål", "gap": "Avvik",
        "expected_top": "Forventet på øverste trinn hvis alle mål nås",
        "choose_ladder": "Velg en stige for å se trakten.",
        "tactic_map": "Hvilket steg hjelper hver taktikk folk opp?",
        "no_tactics": "Velg taktikker i steget Taktikker for å plassere dem her.",
        "lifetime_value": "Kundens livstidsverdi", "relationship_cost": "Kostnaden ved relasjonen (skaffe + beholde)",
        "net": "Verdi til overs", "verdict_yes": "Ja: en kunde er verdt mer enn relasjonen koster.",
        "verdict_no": "Nei: relasjonen koster mer enn en kunde er verdt.",
        "verdict_unknown": "Fyll inn alle tallene for å se konklusjonen.",
        "five_times": "Femgangerregelen: å skaffe en kunde koster ofte over fem ganger så mye som å beholde en.",
        "your_ratio": "Tallene dine: å skaffe koster {ratio} ganger et års oppfølging.",
        "back": "Tilbake til lerretene mine", "skip": "Gå til spørsmålene", "content_for": "Læringsinnhold",
        "progress": "Fremdrift", "replace_draft": "Erstatte teksten din med utkastet?",
    },
}
