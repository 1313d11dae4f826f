"""What each figure of the report counts, in the words the page and the workbook print."""

#: (the figure, what it counts), by section.
DEFINITIONS = {
    "Every figure": [
        (
            "Sessions run",
            "Sessions that started in the period, on UK time, and had started by the time "
            "the report was made. Cancelled sessions did not run and are not counted; "
            "sessions still to come are not counted yet.",
        ),
        (
            "Agency and sector",
            "People are counted in the agency they were in when they booked, even if they "
            "have moved since, and in that agency's sector. People with no agency are "
            "counted in the sector \u201cOther\u201d.",
        ),
        (
            "Choosing a sector or an agency",
            "Only the bookings of that sector's or agency's people are counted. Sessions run "
            "and places offered still count every session, so the fill rate is then the "
            "share of the places those people took.",
        ),
    ],
    "Activity": [
        ("Places offered", "The places of the sessions run: their capacity."),
        (
            "Places booked",
            "Confirmed places on the sessions run. Cancelled places are not counted, late "
            "or not. People who walked in took no place.",
        ),
        ("Fill rate", "Places booked as a share of places offered."),
        (
            "Attended",
            "Marked attended on the register, for the whole session: people with a place "
            "and people who walked in.",
        ),
        ("Walked in", "Of those who attended, people who came without a place."),
        ("Left early", "Marked as having left early. They are not counted as attended."),
        ("Did not attend", "Places booked marked as did not attend."),
        ("Not marked", "Places booked that the register has no mark for."),
        (
            "Cancelled late",
            "Places cancelled after the session's cancellation cut-off. A place handed on "
            "to a colleague is not a cancellation.",
        ),
        (
            "Attendance rate",
            "Of the places booked, the share marked attended. Walk-ins are left out, as "
            "they booked no place.",
        ),
    ],
    "Reach": [
        (
            "Professionals trained",
            "Different people who attended at least one session run, counted once however "
            "many they attended. Someone who moved agency in the period is counted in each "
            "agency they attended from, and once in the totals.",
        ),
        (
            "Headcount",
            "How many of an agency's people work with children, as a coordinator entered "
            "it on the agency. Agencies without one are left out of coverage.",
        ),
        (
            "Coverage",
            "Professionals trained as a share of the headcount. For a sector, or for all "
            "agencies, only the agencies that gave a headcount are counted.",
        ),
    ],
    "Evaluation": [
        (
            "Confidence before and after",
            "The mean of the answers from 1 (not at all confident) to 5 (very confident) "
            "against each learning outcome: before, when booking (optional); after, in the "
            "evaluation. Only people who were there (attended or left early) are counted. "
            "Before and after may come from different numbers of people: each mean gives "
            "how many answers it is made of.",
        ),
        (
            "Change",
            "The mean after less the mean before, as the two are shown (to 1 decimal place).",
        ),
        (
            "Overall rating",
            "The mean of the evaluations' overall ratings, from 1 (very poor) to 5 (excellent).",
        ),
        (
            "Answers in words",
            "What people wrote in their evaluation, without their names. To read one "
            "person's record, open it from People.",
        ),
    ],
    "Case-review reach": [
        (
            "Professionals trained",
            "Different people who attended a session run of any course that draws on the "
            "review, by sector.",
        ),
        (
            "Confidence",
            "Those people's confidence against the learning outcomes of those courses, "
            "before and after, as in Evaluation.",
        ),
        (
            "Courses that address a finding",
            "The courses whose link to the review says they teach that finding, whether "
            "or not they ran in the period.",
        ),
    ],
    "Charges": [
        (
            "Raised",
            "Charges raised in the period, as on the Charges page. Charges cancelled "
            "because the register was corrected are not counted; waived charges are.",
        ),
        ("Waived", "Of those raised, the charges a coordinator waived."),
        ("Outstanding", "Raised less waived: what the agencies owe."),
    ],
}
