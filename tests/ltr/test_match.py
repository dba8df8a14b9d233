"""The real service catalogue read the way officers write (Teams, web chat): abbreviations, everyday terms,
typing slips. Expected entries come from the reference (§1.3 PSR scope, §4 light touch categories, §4.3
commonly mistaken services, §8 item 10 exempt legal services), not from the matcher's output."""
from __future__ import annotations

import pytest

from bot.ltr.knowledge import load_knowledge
from bot.ltr.match import CPV_PREFIX, matcher_for


@pytest.fixture(scope="module")
def m():
    return matcher_for(load_knowledge())


def ids(m, text: str) -> list[str]:
    out: list[str] = []
    for x in m.match(text):
        if x.id not in out:
            out.append(x.id)
    return out


PHRASINGS = [
    # adult social care
    ("does LTR apply to a 700k dom care contract?", "home_care"),
    ("domcare framework, 4 zones", "home_care"),
    ("homecare package for a young person, rolling", "home_care"),
    ("care at home for older residents", "home_care"),
    ("night sitting service for carers", "home_care"),
    ("live-in care for two people", "home_care"),
    ("domicilary care, £2m", "home_care"),
    ("supported living for adults w/ LD", "supported_living"),
    ("housing related floating support for homeless households", "supported_living"),
    ("tenancy sustainment service £200k p/a", "supported_living"),
    ("extra care housing - care & support element", "extra_care"),
    ("Extra care scheme care+support", "extra_care"),
    ("reablement service, 2 yrs", "reablement"),
    ("re-ablement after hospital", "reablement"),
    ("Older people's residential care framework (non-nursing)", "residential_care"),
    ("block booking 6 residential care beds", "residential_care"),
    ("care home placement for an older lady", "residential_care"),
    ("nursing home beds for older people", "nursing_home"),
    ("care home with nursing", "nursing_home"),
    ("Day opps for adults w/ LD", "day_care"),
    ("day opportunities recommission - 3 lots", "day_care"),
    ("LD day services £2m a year", "day_care"),
    ("Dementia day service: £115k a year", "day_care"),
    ("community lunch clubs for older residents", "day_care"),
    ("Short breaks / respite for disabled children", "short_breaks"),
    ("CYP short breaks, £25k a month", "short_breaks"),
    ("respite care for adults", "short_breaks"),
    ("carers breaks service", "short_breaks"),
    ("Shared Lives scheme, £130k a year", "shared_lives"),
    ("adult carers support service", "carers_support"),
    ("Young carers service - 3yrs", "carers_support"),
    ("befriending service for isolated older ppl", "befriending"),
    ("£12k befriending pilot with a local charity", "befriending"),
    ("we're buying a dementia advisor service", "welfare_support"),
    ("sensory impairment service (visual impairment rehab)", "welfare_support"),
    ("direct payments support service (payroll, brokerage)", "welfare_support"),
    ("resettlement casework for refugees", "refugee_support"),  # "refugees" is not a slip of "refuge"
    ("carers hub contract coming up", "carers_support"),
    ("falls pick-up service", "telecare_monitoring"),
    ("D2A beds", "step_down_beds"),  # care home or nursing: the officer is asked
    ("occupational health for staff", "occupational_health"),
    ("Rough sleeper outreach team", "homelessness"),
    ("homelessness prevention service", "homelessness"),
    ("Hostel for single homless w/ 24/7 on-site support", "supported_accommodation"),
    ("MH supported accommodation (non clinical)", "supported_accommodation"),
    ("women's refuge, 12 units", "refuge"),
    ("DA refuge", "refuge"),
    ("IDVA service direct award", "domestic_abuse"),
    ("domestic abuse support in the community", "domestic_abuse"),
    ("Appropriate adult service for YP in police custody", "social_services"),
    ("Early help family support service", "family_support"),
    ("Family hub services contract", "family_support"),
    ("parenting programmes for families on CIN plans", "family_support"),
    ("Supported employment for adults with LD (job coaching)", "vocational_rehab"),
    ("Employment support / job search programme for residents on UC", "job_search"),
    ("home delivery of food parcels to vulnerable residents", "home_delivery"),
    ("VCS infrastructure support contract (capacity building)", "social_betterment"),
    # children's social care and SEND
    ("block contract for 4 beds in a children's residential home", "childrens_residential"),
    ("Independant fostering agency framework", "childrens_residential"),
    ("IFA placements framework £600k a year", "childrens_residential"),
    ("foster care placements", "childrens_residential"),
    ("semi-independent accommodation for 16-17 year olds", "semi_independent"),
    ("16-25 supported accommodation framework", "semi_independent"),
    ("leaving care service", "care_leavers"),
    ("SEND independent & non-maintained special school placements", "send_support"),
    ("Specialist post-16 / residential college placements for SEND 19-25", "send_support"),
    ("Alternative provision for permanently excluded pupils", "send_support"),
    ("SEND placements framework", "send_support"),
    ("SENDIASS contract", "sendiass"),
    ("wraparound childcare at 3 primaries", "childcare"),
    # advice, advocacy, counselling
    ("Advocacy hub (Care Act advocacy, IMHA, IMCA, NHS complaints)", "advocacy"),
    ("IMCA service only", "advocacy"),
    ("welfare benefits advice service", "advice"),
    ("Debt & money advice service (charity provider)", "advice"),
    ("Information & advice service for ASC", "advice"),
    ("immigration & NRPF advice for families", "advice"),
    ("Bereavement counselling for children & young people", "counselling"),
    ("Employee assistance programme (staff counselling line)", "counselling"),
    ("Local Healthwatch contract", "healthwatch"),
    # telecare (§4.3): monitoring is light touch, kit is goods
    ("Telecare alarm monitoring centre (call handling + mobile response)", "telecare_monitoring"),
    ("community alarm service", "telecare_monitoring"),
    ("buying telecare kit (pendants, falls sensors, hubs)", "telecare_equipment"),
    ("telecare", "telecare"),
    ("TEC service", "telecare"),
    # health care (PSR Sch 1)
    ("Adult drug & alcohol treatment service recomission", "substance_misuse"),
    ("Young people's substance misuse service", "substance_misuse"),
    ("Residential rehab (drug/alcohol) placements", "substance_misuse"),
    ("integrated sexual health service (GUM + contraception)", "sexual_health"),
    ("ISH service £1.5m/yr", "sexual_health"),
    ("LARC fitting in GP practices (contraception)", "sexual_health"),
    ("0-19 healthy child programme", "health_visiting"),
    ("HV & school nursing, Q1 2027", "health_visiting"),
    ("school nursing service only", "health_visiting"),
    ("0–19 service", "health_visiting"),
    ("community nursing for homeless people", "community_health"),
    ("NHS Health Checks via GP practices", "health_services"),
    ("stop smoking service", "health_services"),
    ("tier 2 weight management", "health_services"),
    ("IAPT / talking therapies", "mental_health_clinical"),
    ("physio and OT for children", "therapy_services"),
    ("community pharmacy needle exchange", "pharmacy"),
    ("non-emergency patient transport", "patient_transport"),
    ("Agency nurses for our in-house care homes", "agency_nurses"),
    ("locum doctors for the hospice", "agency_medical"),
    # education, training, culture, leisure
    ("Traning programme for our ASC workforce", "training"),
    ("ESOL classes for adult residents", "training"),
    ("independent travel training for SEND young people", "training"),
    ("Leadership dev programme for our managers", "management_training"),
    ("1:1 tutoring for looked after children (virtual school)", "tutoring"),
    ("e-learning modules for social workers", "e_learning"),
    ("Leisure centres - new operator contract", "leisure"),
    ("community exercise classes, walking groups", "sport_activity"),
    ("outsourcing the whole library service", "library"),
    ("local history museum & archives", "arts_culture"),
    ("Youth club sessions across 3 estates", "youth_services"),
    ("HAF (holiday activities & food) programme delivery", "youth_services"),
    ("Borough festival – event management company", "events"),
    ("Fireworks display for the bonfire night event", "fireworks"),
    ("Outsourcing CCTV control room monitoring", "cctv_monitoring"),
    # hotel, catering
    ("school meals contract for 30 maintained primaries", "school_meals"),
    ("Meals on wheels - £120k p/a +VAT", "meals_on_wheels"),
    ("Town hall staff canteen", "catering"),
    ("café concession in the central library", "catering"),
    ("patient catering, £900k over 3 years", "catering"),
    ("nightly paid B&B/hotel rooms DPS", "temporary_accommodation"),
    ("temp accom for homeless families", "temporary_accommodation"),
    # administration, justice, security, postal, misc
    ("administration of the housing register & allocations (choice based lettings admin)", "housing_admin"),
    ("YOS commissioning an intervention programme for young offenders", "offender_rehab"),
    ("crisis mgmt services, on call", "crisis_management"),
    ("visiting chaplaincy / faith support", "religious"),
    ("security guarding at our civic centre", "security_guarding"),
    ("fraud investigation services", "investigation"),
    ("postal contract (franking, daily collections)", "postal"),
    ("Tyre remoulding/retreading for the fleet", "tyre_remoulding"),
    ("fire and rescue support contract", "public_security"),
    ("prisoner escort services", "public_security"),
    ("community midwives for the family hubs", "midwifery"),
    ("sight tests for care home residents", "optician"),
    ("EHC plan provision for 20 pupils", "send_support"),
    ("public health funerals contract", "funerals"),  # 98371000 is not in the light touch lists
    # legal (§8 item 10)
    ("External legal advice on a regeneration scheme", "legal_advice"),
    ("ET claim by ex-employee - need external solicitors to defend it", "litigation"),
    ("Legal panel for care proceedings (counsel & solicitors)", "litigation"),
    ("legal services for our regeneration programme", "legal"),
    # not light touch (§4.3)
    ("new ASC case management system - SaaS", "software"),
    ("managed IT service desk for the children's services dept", "it_services"),
    ("IT support for care homes £210k incl VAT", "it_services"),
    ("laptops and tablets for care leavers", "it_equipment"),
    ("mobile phones and sim cards", "telecoms"),
    ("cleaning for our 3 in-house care homes", "cleaning"),
    ("consultancy support for our ASC transformation programme", "consultancy"),
    ("healthy eating comms campaign (creative + media buying)", "marketing"),
    ("BSL + spoken lang interpreting for ASC assessments", "translation"),
    ("SEND home to school transport dynamic market", "passenger_transport"),
    ("transport (minibuses + drivers) to get people to our LD day centres", "passenger_transport"),
    ("grounds maintenance at our care homes & children's homes", "grounds"),
    ("agency social workers (locums) via neutral vendor", "recruitment"),
    ("new build 60 bed care home - construction contract", "construction"),
    ("refurb of the day centre building", "construction"),
    # exempt
    ("we're leasing a building from a private landlord", "land"),
    ("co-funded research project with a university", "rnd_public_benefit"),
]


@pytest.mark.parametrize("text, expected", PHRASINGS)
def test_officers_phrasing_names_the_service(m, text: str, expected: str) -> None:
    found = ids(m, text)
    assert found and found[0] == expected, found


def test_enough_phrasings() -> None:
    assert len(PHRASINGS) >= 120


@pytest.mark.parametrize("text, expected", [
    ("home care £2.4m + care tech platform & devices £300k", ["home_care", "software", "it_equipment"]),
    ("day care (£300k) + transport to the centres (£400k)", ["day_care", "passenger_transport"]),
    ("security guarding (£300k) + cleaning (£100k)", ["security_guarding", "cleaning"]),
    ("Older people's day centre: care & activities £500k + hot meals £200k", ["day_care", "catering"]),
    ("Telecare service: monitoring & response £500k + devices £250k", ["telecare_monitoring", "it_equipment"]),
])
def test_several_services_give_several_matches_in_order(m, text: str, expected: list[str]) -> None:
    assert ids(m, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("we need solicitors for conveyancing", ["legal_advice"]),  # "solicitors" is vague; conveyancing settles it
    ("telecare alarm monitoring", ["telecare_monitoring"]),
    ("solicitors + counsel to defend a JR", ["litigation"]),
])
def test_a_specific_service_settles_a_vague_one(m, text: str, expected: list[str]) -> None:
    assert ids(m, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("legal advice on planning agreements, no litigation", ["legal_advice"]),
    ("immigration advice (not representation at tribunals, just advice)", ["advice"]),
    ("actually it's supported living not home care", ["supported_living"]),
    ("employ someone directly instead of buying consultancy", []),
])
def test_a_negated_service_is_not_bought(m, text: str, expected: list[str]) -> None:
    assert ids(m, text) == expected


@pytest.mark.parametrize("text", [
    "£3m", "£663,540", "£1.2m over 3 years plus 1", "3+1+1", "5 yrs w/ 2x12m ext", "1 April 2027", "Q1 2027",
    "tender notice 15 Jan 2027", "care", "Care £400k", "support", "services", "the council", "is it above threshold?",
    "what's the difference between PSR and the light touch rules?", "start again", "I don't know", "dunno",
    "clearing the backlog", "in the event of a tie", "a waste of time", "sorry, that £500k is per year",
    "VAT exempt (charity)", "we're a London borough", "contract notice June 2021", "12 months",
    "£100k-ish a year", "bid prep for the tender", "commissioning it for health service purposes",
    "the council", "the provider's CQC registered so no VAT",
])
def test_things_that_are_not_services(m, text: str) -> None:
    assert ids(m, text) == []


@pytest.mark.parametrize("text, expected", [
    # Procurement words that look like services: the tender's advert, market engagement events, the platform.
    ("home care for adults, advertising in March 2027", ["home_care"]),
    ("Nov 2024 was just market engagement events, no notice", []),
    ("do we still need a tender notice on the central digital platfrom?", []),
    ("Does the Health Care Services (Provider Selection Regime) Regulations 2023 apply?", []),
    ("is SaaS light touch if it supports social care?", ["software", "social_work"]),
    ("a contract combining light touch services with other services or goods", []),
    # "+" and commas separate parts: "care + tech" is not "care tech"; "16+" is an age.
    ("care + tech contract - still LT?", []),
    ("16+ accommodation for care leavers", ["semi_independent"]),
])
def test_procurement_words_and_part_breaks(m, text: str, expected: list[str]) -> None:
    assert ids(m, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("domicilary care", "home_care"),
    ("subtance misuse service", "substance_misuse"),
    ("independant fostering", "childrens_residential"),
    ("physiotherpy", "therapy_services"),
    ("befreinding service", "befriending"),
    ("reablment", "reablement"),
    ("staff traning", "training"),  # one letter left out: "training", not "tracing"
    # A slip in a plural is found as typed, before "-ies"/"-s" is folded away ("lvies" is not "lvy").
    ("Shared Lvies scheme", "shared_lives"),
    ("shared livse", "shared_lives"),
])
def test_typing_slips(m, text: str, expected: str) -> None:
    assert ids(m, text) == [expected]


@pytest.mark.parametrize("text", ["meal", "mental health", "rental car", "dental"])
def test_real_words_are_not_read_as_slips(m, text: str) -> None:
    # A real word near a catalogue word is that word: "rental" must not become "dental".
    assert "dental" not in ids(m, text) or text == "dental"


@pytest.mark.parametrize("text, code", [
    ("Welfare services for the elderly", "85311100"),
    ("social work services without accommodation, 3 years", "85312000"),
    ("Daycare services for handicapped children and young people", "85312120"),
    ("administrative social services", "85321000"),
])
def test_official_cpv_descriptions(m, text: str, code: str) -> None:
    (hit,) = m.match(text)
    assert (hit.id, hit.cpv) == (CPV_PREFIX + code, code)


def test_a_setting_ends_at_the_clause(m) -> None:
    # "for our borough ..." qualifies the programme; after the dash a new thing is named.
    assert ids(m, "Cultural programme for our borough - artistic services") == ["arts_culture", CPV_PREFIX + "92312000"]


def test_official_descriptions_obey_the_same_guards(m) -> None:
    assert ids(m, "home care, not welfare services for the elderly") == ["home_care"]
    assert ids(m, "cleaning for our welfare services for the elderly") == ["cleaning"]


def test_a_catalogue_term_with_the_same_code_beats_the_official_wording(m) -> None:
    # "Crisis management services" is the official wording of 79430000, which the catalogue entry also names.
    assert ids(m, "crisis management services") == ["crisis_management"]


def test_offsets_point_at_the_words(m) -> None:
    text = "Quick one - supported living for adults, £180k pa"
    (hit,) = m.match(text)
    assert text[hit.start:hit.end] == "supported living" == hit.text


@pytest.mark.parametrize("text, expected", [
    ("wraparound package for a kid with complex needs in a residential setting", "residential_care"),
    ("personal care visits to people in their own homes", "home_care"),
    ("fostering-type placements", "childrens_residential"),
])
def test_suggest_offers_likely_categories(m, text: str, expected: str) -> None:
    got = m.suggest(text)
    assert 1 <= len(got) <= 3
    assert expected in [sid for sid, _ in got]
    assert all(label for _, label in got)


@pytest.mark.parametrize("text", ["£3m", "1 April 2027", "hello", "what is the threshold?"])
def test_suggest_offers_nothing_for_non_service_words(m, text: str) -> None:
    assert m.suggest(text) == []
