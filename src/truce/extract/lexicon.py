# ruff: noqa: E501 - regular-expression tables read best one pattern a line
"""Word lists: event triggers, weapons, actors, targets and claim cues (English, Ukrainian,
Russian). Patterns are regular expressions over a sentence; a named group `t` marks the trigger
word whose grammar (negation, infinitive, modal) decides whether the event happened."""

from __future__ import annotations

import re

from truce.model import IncidentType as T

__all__ = [
    "CONFIRM_CUES", "CONTRADICT_CUES", "CYR_TRIGGERS", "DENIAL_CUES", "FABRICATION_CUES",
    "FAMILY", "NUMBER_WORDS", "TRIGGERS", "WEAPONS", "parse_number",
]


def _newer(name: str) -> T | None:
    """A type of the taxonomy's ACLED-backed additions (abduction ... strategic_development), or None
    while the installed taxonomy lacks it (its triggers are then left out)."""
    return T.__members__.get(name)


# Incident families: mentions of one family in one sentence describe one event.
FAMILY = {
    T.shelling: "remote", T.missile_strike: "remote", T.air_strike: "remote",
    T.drone_strike: "remote", T.explosion: "remote", T.interception: "remote",
    T.projectile: "remote", T.armed_clash: "battle", T.small_arms_fire: "battle",
    T.territorial_claim: "territory", T.mine_ied: "other", T.attack_on_civilians: "other",
    T.jamming: "other", T.monitor_restriction: "other", T.weapon_sighting: "other",
    T.troop_presence: "other", T.movement: "other",
}
# Acts against people and property, protests and non-violent changes: a family each, so a strike
# and an arrest in one sentence stay two events.
for _name, _family in [("abduction", "abduction"), ("arrest", "arrest"), ("sexual_violence", "sexual"),
                       ("looting", "property"), ("property_destruction", "property"), ("protest", "protest"),
                       ("riot", "protest"), ("territory_transfer", "territory"),
                       ("strategic_development", "strategic")]:
    if _newer(_name) is not None:
        FAMILY[_newer(_name)] = _family

_I = re.IGNORECASE
# (pattern, type or None for "decide from the weapons", generic?)
TRIGGERS: list[tuple[re.Pattern[str], T | None, bool]] = [(re.compile(p, _I), t, g) for p, t, g in [
    (r"\b(?P<t>shot down|shoot down|shoots down|downed|downs|intercepted|intercepting|intercepts?|neutrali[sz]ed)\b",
     T.interception, False),
    (r"\bair defen[cs]es?\b[^.;]{0,40}\b(?P<t>destroyed|shot|downed)\b", T.interception, False),
    # "destroyed 74 Ukrainian drones over the Moscow region": what is destroyed over a place was flying
    (r"\b(?P<t>destroyed|destroys)\b(?= (?:[\w-]+ ){0,3}(?:drones|UAVs|missiles|rockets|aircraft)\b[^.;]{0,30}?\bover\b)",
     T.interception, False),
    (r"\b(?P<t>shell(?:ed|ing|s)?)\b(?! (?:company|companies|corporation))", T.shelling, False),
    (r"\b(?:artillery|mortar|tank|MLRS|rocket) (?P<t>fire|strikes?|attacks?|shelling|barrage)\b", T.shelling, False),
    (r"\b(?P<t>bombard(?:ed|ment|ing)?)\b", T.shelling, False),
    (r"\bmissile (?P<t>strikes?|attacks?)\b", T.missile_strike, False),
    (r"\b(?P<t>air ?strikes?|air raids?|bombing|bombed)\b", T.air_strike, False),
    (r"\bdrone (?P<t>strikes?|attacks?|raids?)\b", T.drone_strike, False),
    (r"\b(?P<t>killed|hit|struck) by (?:an? )?(?:\w+ ){0,2}(?:drone|UAV|Shahed)s?\b", T.drone_strike, False),
    (r"\b(?P<t>killed|hit|struck) by (?:an? )?(?:\w+ ){0,2}missiles?\b", T.missile_strike, False),
    (r"\b(?P<t>killed|hit|struck) by (?:an? )?(?:\w+ ){0,2}(?:shell|shelling|artillery|mortar)s?\b", T.shelling, False),
    (r"\b(?P<t>attack(?:s|ed|ing)?|strikes?|struck|striking|targeting|targeted|hit|hits|pounded)\b", None, True),
    (r"\b(?P<t>launched)\b(?= (?:[\w-]+ ){0,4}(?:drones?|missiles?|rockets?|bombs?|Shaheds?|UAVs?))", None, True),
    # a weapon's impact told as motion: "missiles slammed into Kyiv", "shells rained down on the town"
    (r"\b(?:drones?|missiles?|rockets?|bombs?|shells?|Shaheds?|UAVs?|barrage)\b[^.;]{0,30}?"
     r"\b(?P<t>slam(?:med|s)? into|crash(?:ed|es)? into|smash(?:ed|es)? into|rain(?:ed|s)? down on)\b", None, True),
    (r"\b(?P<t>fired|firing|fires)\b(?! (?:into|in) the air| warning)(?= (?:[\w-]+ ){0,5}?(?:at|on|upon|towards?|into)\b)",
     None, True),
    (r"\b(?P<t>fired|firing)\b(?= (?:[\w-]+ ){0,3}(?:artillery|mortars?|MLRS|rockets?|shells?|missiles?|rounds))",
     None, True),
    (r"\b(?P<t>dropped|dropping|drops)\b(?= (?:[\w-]+ ){0,4}(?:bombs?|KABs?|explosives?|explosive devices?|"
     r"grenades?|munitions?|FABs?))", None, True),
    (r"\bcarried out (?:an? )?(?:[\w-]+ ){0,2}(?P<t>strikes?|attacks?|raids?)\b", None, True),
    (r"\b(?P<t>under (?:heavy )?(?:fire|shelling|attack)|came under fire|come under fire|"
     r"(?:were|was) fired (?:at|on|upon))\b", None, True),
    (r"\b(?P<t>explosions?|blasts?)\b", T.explosion, False),
    (r"\b(?P<t>clash(?:es|ed)?|fighting|firefights?|skirmish(?:es)?|counter-?attacks?|counter-?offensive|"
     r"assaults?(?! (?:brigade|battalion|troops|groups?|units?|regiment|rifles?|squad))|stormed|storming|"
     r"combat engagements?|battles? (?:for|of|in|near|around)|fought|fights? (?:for|near|in)|"
     r"offensive(?! (?:weapons?|capabilit\w+|potential))|infiltrat\w+|broke through|break through|"
     r"(?:attempted|tried|trying|attempting|sought) to (?:advance|attack|break|storm|push|encircle|cross)|"
     r"advanc(?:ed|ing|es)? (?:on|towards?|near|in|into)|advance (?:on|towards?|near)|"
     # a headline's gain: "advance up to two kilometres near X", "advanced 1.5 km"
     r"advanc(?:e|ed|es|ing) (?:up to |by |some |about |almost |nearly )?(?:[\d.,]+|one|two|three|four|five|six|seven|"
     r"eight|nine|ten|several|a few) ?(?:km|kilomet(?:re|er)s?|met(?:re|er)s|miles)\b|"
     r"street fighting|attacked (?:\w+ )?positions|assaulted|counterattacked)\b", T.armed_clash, False),
    (r"\b(?:entered the|intense|heavy|fierce) (?P<t>fight|fighting|battles?)\b", T.armed_clash, False),
    # a communiqué's ground fighting: "inflicted losses on formations of ...", "defeated the manpower and
    # equipment of ...", "improved their tactical position near ..."
    (r"\b(?P<t>inflicted|inflicting|inflict)\b(?= (?:[\w-]+ ){0,2}(?:losses|damage|casualties|defeat)\b)", T.armed_clash, False),
    (r"\b(?P<t>defeated|routed)\b(?= (?:the )?(?:manpower|formations?|units?|personnel|enemy|troops))", T.armed_clash, False),
    (r"\b(?P<t>improved)\b(?= (?:their|its|the) (?:tactical )?(?:position|situation))", T.armed_clash, False),
    # "Kalibr missiles destroyed the plant", "a drone hit the depot": the weapon as the subject
    (r"\b(?:missiles?|drones?|UAVs?|bombs?|rockets?|shells?|Shaheds?)\s+(?!(?:were|was|are|is|been|being|had|have)\b)(?:\w+\s+)?"
     r"(?P<t>destroyed|damaged|hit|struck)\b", None, True),
    (r"\b(?P<t>repelled|repulsed)\b", T.armed_clash, False),
    # a cross-border raid: "saboteurs crossed into the Bryansk region", "a DRG entered the village"
    (r"\b(?:saboteurs|sabotage(?: and reconnaissance)? groups?|DRGs?|raiders|infiltrators)\b[^.]{0,40}?"
     r"\b(?P<t>crossed|entered|infiltrated|broke into|broke through)\b", T.armed_clash, False),
    (r"\b(?P<t>small[- ]arms fire|gunfire|machine[- ]gun fire|sniper fire|opened fire|shots were fired)\b",
     T.small_arms_fire, False),
    (r"\b(?P<t>captured?|capturing|seized?|seizing|took (?:full )?control|taken (?:full )?control|taken over|"
     r"took over|liberated|liberation|recaptured|retaken|retook|regained (?:full )?control|"
     r"(?:re-?)?established (?:full )?control|gained (?:full )?control|took (?:the )?(?:town|city|village)|"
     r"completed the liberation|fully liberated|cleared of)\b", T.territorial_claim, False),
    # "has taken Artemovsk" (a place's name follows): not "has taken part/place/measures"
    (r"\b(?:has|have|had) (?:now |fully |completely )?(?P<t>taken)(?= (?:the (?:town|city|village) of )?(?-i:[A-Z]))",
     T.territorial_claim, False),
    (r"\b(?P<t>(?:withdr[ae]w(?:n|al)?|pulled out|retreated|left)\b(?= (?:[\w-]+ ){0,4}?(?:from|the town|the city))"
     r"|pulled out(?= of\b))",
     T.territorial_claim, False),
    (r"\b(?P<t>(?:raised|hoisted|showing|planted|raising|hoisting|raise|hoist) (?:the |a )?(?:Russian|Ukrainian) flags?|"
     r"(?:Russian|Ukrainian) flags? (?:was |were |is )?(?:raised|hoisted|planted)|"
     r"claim(?:s|ed)? (?:full |complete )?control)\b", T.territorial_claim, False),
    (r"\b(?:missiles?|drones?|rockets?|Shaheds?|UAVs?)\s+(?:were\s+)?(?P<t>launched|fired)\b", None, True),
    # a digest's or headline's verbless strike: "ten missiles on the city", "40 drones at Odesa"
    (r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|dozens of) "
     r"(?:[\w-]+ )?"
     r"(?P<t>missiles|drones|bombs|rockets|Shaheds|shells)(?= (?:on|at|into) )", None, True),
    (r"\b(?P<t>landmines?|anti-personnel mines?|stepped on a mine|mine explosion|IEDs?|improvised explosive"
     r"|car bomb)\b", T.mine_ied, False),
    (r"\b(?P<t>jamm(?:ing|ed))\b", T.jamming, False),
]]
# Violence against civilians and the rest of ACLED's taxonomy (see _newer).
TRIGGERS += [(re.compile(p, _I), t, False) for p, t in [
    (r"\b(?P<t>shot dead|shot and killed|executed|summarily killed|tortured to death|killed a civilian|"
     r"beat(?:en)? to death|shot (?:at )?(?:a |an |two |three )?(?:civilians?|man|woman|residents?|people))\b",
     T.attack_on_civilians),
    (r"\b(?P<t>kidnapp(?:ed|ing)|abduct(?:ed|ion|ing)|forcibly (?:took away|taken|removed|disappeared)|"
     r"took away|taken away|went missing after|forcibly deported|disappeared)\b", _newer("abduction")),
    (r"\b(?P<t>detained|detains|arrested|arrests|arrest|detention|apprehended|taken into custody)\b(?! warrant)",
     _newer("arrest")),
    (r"\b(?P<t>rap(?:ed|e|es|ing)|sexual(?:ly)? (?:violence|assault\w*|abuse\w*))\b", _newer("sexual_violence")),
    (r"\b(?P<t>loot(?:ed|ing|s)?|plunder(?:ed|ing)?|pillag(?:ed|ing)|stole|stolen|"
     r"seized (?:\w+ ){0,3}(?:warehouses?|grain|equipment|property|cars?|vehicles))\b", _newer("looting")),
    (r"\b(?P<t>set (?:\w+ )?(?:fire|on fire|ablaze)|arson|burn(?:ed|t) down|blew up|blown up|blows? up|blowing up|vandali[sz]ed|"
     r"demolished|was destroyed|were destroyed|dam (?:was )?(?:destroyed|breached))\b",
     _newer("property_destruction")),
    (r"\b(?P<t>protest(?:ed|ing|s|ers)?|rall(?:y|ied|ies)|demonstrat(?:ion|ions|ors|ed)|picket(?:ed|s)?|"
     r"gathered (?:[\w,]+ ){0,6}(?:to|against|demanding|in protest)|march(?:ed)? (?:against|for|through))\b",
     _newer("protest")),
    (r"\b(?P<t>riot(?:s|ed|ing)?|clashed with (?:the )?police|fight broke out between (?:\w+ )?protesters|"
     r"protesters (?:\w+ ){0,3}(?:beaten|clashed|stormed))\b", _newer("riot")),
    (r"\b(?P<t>without (?:a )?(?:fight|fighting|resistance)|passed (?:under|into) (?:\w+ )?control|"
     r"handed over control)\b", _newer("territory_transfer")),
    # "Ukrainian army entering Kherson": troops arriving where neither a fight nor a claim is told
    (r"\b(?:army|forces|troops|units|soldiers) (?P<t>enter(?:s|ed|ing))\b"
     r"(?! (?:the )?(?:outskirts|fight|battle|war))"  # "entered the outskirts": an advance under fire
     r"(?![^.]*\b(?:flags?|liberat\w*|control|captur\w*|fight\w*|attack\w*|strikes?|hit|shell\w*)\b)",
     _newer("territory_transfer")),
    (r"\b(?P<t>laid mines|laying mines|mined (?:the|a)|planted mines|established (?:a )?(?:base|headquarters)|"
     r"set up (?:a )?(?:base|headquarters|checkpoints?))\b", _newer("strategic_development")),
] if t is not None]

# Weapons: (pattern, canonical name, the type it implies).
WEAPONS: list[tuple[re.Pattern[str], str, T]] = [(re.compile(p, _I), n, t) for p, n, t in [
    (r"\bShaheds?\b|\bШахед\w*|\bШахед\w*", "Shahed", T.drone_strike),
    (r"\bGerbera\b", "Gerbera", T.drone_strike),
    (r"\bGeran(?:-2)?\b|\bГерань", "Geran-2", T.drone_strike),
    (r"\bLancet\b|\bЛанцет", "Lancet", T.drone_strike),
    (r"\bFPV\b", "FPV drone", T.drone_strike),
    (r"\b(?:unmanned surface vessels?|naval drones?|sea drones?|USVs?|uncrewed boats?)\b", "naval drone", T.drone_strike),
    (r"\bstrike drones?\b|\bkamikaze drones?\b|\bударн\w+ (?:дрон|безпілот|БпЛА)\w*", "strike drone", T.drone_strike),
    (r"\bdrones?\b|\bUAVs?\b|\bdrone\b|\bбезпілотник\w*|\bбеспилотник\w*|\bБпЛА\b|\bБПЛА\b|\bдрон\w*",
     "drone", T.drone_strike),
    (r"\bIskander(?:-M)?\b|\bІскандер\w*|\bИскандер\w*", "Iskander", T.missile_strike),
    (r"\bKinzhal\b|\bКинджал\w*|\bКинжал\w*", "Kinzhal", T.missile_strike),
    (r"\bKalibr\b|\bКалібр\w*|\bКалибр\w*", "Kalibr", T.missile_strike),
    (r"\bKh-\d+\w*\b|\bХ-\d+", "Kh missile", T.missile_strike),
    (r"\bS-300\b|\bS-400\b|\bС-300\b|\bС-400\b", "S-300/S-400", T.missile_strike),
    (r"\bATACMS\b", "ATACMS", T.missile_strike),
    (r"\bStorm Shadow\b", "Storm Shadow", T.missile_strike),
    (r"\bNeptune\b|\bНептун\w*", "Neptune", T.missile_strike),
    (r"\bFlamingo\b", "Flamingo", T.missile_strike),
    (r"\bballistic missiles?\b", "ballistic missile", T.missile_strike),
    (r"\bcruise missiles?\b", "cruise missile", T.missile_strike),
    (r"\bmissiles?\b|\bракет\w*", "missile", T.missile_strike),
    (r"\bKABs?\b|\bКАБ\w*", "KAB", T.air_strike),
    (r"\bTochka(?:-U)?\b", "Tochka-U", T.missile_strike),
    (r"\b(?:military )?(?:aircraft|warplanes?|jets?|helicopters?|Su-\d+)\b", "aircraft", T.air_strike),
    (r"\b(?:explosives?|explosive devices?|grenades?)\b(?=.{0,40}\b(?:drones?|UAVs?|quadcopters?)\b)"
     r"|\b(?:drones?|UAVs?|quadcopters?)\b.{0,25}\b(?:dropped|drops)\b", "drone drop", T.drone_strike),
    (r"\bbombs?\b", "bomb", T.air_strike),
    (r"\bFAB-\d+|\bФАБ", "FAB", T.air_strike),
    (r"\bUMPB\b", "UMPB", T.air_strike),
    (r"\b(?:guided|glide|aerial|air-dropped) (?:aerial )?bombs?\b|\bавіабомб\w*|\bавиабомб\w*", "guided bomb",
     T.air_strike),
    (r"\bHIMARS\b", "HIMARS", T.shelling),
    (r"\bGrad\b|\bГрад\w*", "Grad", T.shelling),
    (r"\bUragan\b|\bSmerch\b|\bTornado-S\b", "MLRS", T.shelling),
    (r"\bMLRS\b|\bРСЗВ\b|\bРСЗО\b", "MLRS", T.shelling),
    (r"\bhowitzers?\b|\bгаубиц\w*", "howitzer", T.shelling),
    (r"\bmortars?\b|\bміномет\w*|\bминомет\w*", "mortar", T.shelling),
    (r"\b(?:tank|artillery) (?:rounds|shells|fire)\b|\bshells?\b(?! company)|\brockets?\b", "artillery", T.shelling),
    (r"\bartillery\b|\bартилері\w*|\bартиллери\w*", "artillery", T.shelling),
    (r"\bAbrams\b", "Abrams", T.armed_clash),
    (r"\bLeopard\b", "Leopard", T.armed_clash),
    (r"\bBradleys?\b", "Bradley", T.armed_clash),
    (r"\bBMPs?\b|\bBMP’s\b|\bBMP's\b|\bБМП\b", "BMP", T.armed_clash),
    (r"\bT-(?:62|64|72|80|90)\w*", "tank", T.armed_clash),
]]

NUMBER_WORDS = {
    "zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "a dozen": 12,
    "один": 1, "одна": 1, "одного": 1, "дві": 2, "два": 2, "двоє": 2, "две": 2, "двое": 2,
    "три": 3, "троє": 3, "трое": 3, "чотири": 4, "четыре": 4, "четверо": 4, "пʼять": 5,
    "п'ять": 5, "пять": 5, "шість": 6, "шесть": 6,
}
NUMBER = (r"(?:\d[\d,]*|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|"
          r"four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
          r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a dozen|dozen|"
          r"(?:one |a )?hundred)")


def parse_number(text: str) -> int | None:
    t = text.lower().strip().replace(",", "")
    if t.isdigit():
        return int(t)
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t]
    parts = re.split(r"[- ]", t)
    if len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in NUMBER_WORDS:
        return NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]]
    if parts[-1] == "hundred":
        return 100 * (NUMBER_WORDS.get(parts[0], 1) if len(parts) > 1 else 1)
    return None


# Claim cues.
DENIAL_CUES = re.compile(
    r"\b(denied|denies|deny|denying|refuted|rejected (?:the|this|that) (?:claim|report)|fabrication|"
    r"lies|lying|lie\b|false|not true|fake news|never (?:took|taken) place|did not (?:happen|take place)|"
    r"may never have taken place|pushed back on|disinformation|propaganda claim)", _I)
FABRICATION_CUES = re.compile(
    r"\b(staged|faked|fake (?:the )?(?:killing|death|video|drone strike|strike)|was a ruse|as a ruse|hoax|"
    r"stage-managed|fabricated by)\b", _I)
CONTRADICT_CUES = re.compile(
    r"\b(continues? to hold|continuing to hold|still hold|remain in control|remains? under (?:Ukrainian|our) "
    r"control|in (?:Ukrainian|our) hands|has not been captured|hold positions|holding positions|"
    r"grey zone|gray zone|contradict\w*|despite \w+ (?:\w+ )?(?:claims?|proclamation))", _I)
CONFIRM_CUES = re.compile(r"\b(confirm(?:s|ed)?|geolocated|verified by)\b", _I)
CLAIM_CUES = re.compile(r"\b(claim(?:s|ed|ing)?|alleg(?:e|es|ed|edly|ing)|proclamation|purported(?:ly)?|"
                        r"cannot (?:be )?independently verif\w*|could not (?:be )?(?:independently )?verif\w*|"
                        r"unverified)\b", _I)

# Actors.
RU_ACTOR = re.compile(r"\b(Russian|Russia(?:'s|’s)?|Russians|Moscow(?:'s|’s)?|Kremlin|occupiers|occupation|invaders|"
                      r"Wagner|Russian-installed|Moscow-installed|DPR|LPR|Battlegroup|(?i:group of forces))\b")
UA_ACTOR = re.compile(r"\b(Ukrainian|Ukraine(?:'s|’s)?|Ukrainians|Kyiv(?:'s|’s)?|Kiev(?:'s|’s)?|AFU|"
                      r"Defen[cs]e Forces of Ukraine|SBU|GUR|HUR|Kyiv regime|Kiev regime|nationalists|"
                      r"neo-Nazis|Ukrainian (?:armed )?formations)\b")
# Words by which an article shows it speaks for Russia's side ("the enemy" is then Ukraine).
RU_VOICE = re.compile(r"\b(Kyiv regime|Kiev regime|AFU|nationalist formations|neo-Nazis|Battlegroup|"
                      r"Group of Forces|liberated the settlement|Donetsk People's Republic|special military operation)\b"
                      r"|ВСУ|киевск\w+ режим", _I)

# Who issues an official statement (its heading or signature line): its own side's actions in it are
# that side's claims.
ISSUERS = [(re.compile(p, _I), side) for p, side in [
    (r"\b(?:Russian (?:Ministry of Defen[cs]e|MoD|Defen[cs]e Ministry)|Ministry of Defen[cs]e of the Russian Federation|"
     r"Минобороны России|Министерство обороны Российской Федерации)\b", "RU"),
    (r"\b(?:General Staff of the Armed Forces of Ukraine|Armed Forces of Ukraine General Staff|Ministry of Defen[cs]e "
     r"of Ukraine|Ukrainian (?:Ministry of Defen[cs]e|MoD)|Air Force (?:of the Armed Forces of Ukraine|Command)|"
     r"Security Service of Ukraine|Main Intelligence Directorate|Defen[cs]e Forces of the South|"
     r"Генштаб\w*|Генеральний штаб|Міністерство оборони України)\b", "UA"),
]]

TARGETS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, _I), k) for p, k in [
    (r"\b(refiner(?:y|ies)|oil depot|fuel depot|oil terminal|power plant|power station|substation|energy|"
     r"power grid|thermal|gas (?:facility|infrastructure)|electricity|НПЗ|нафто\w*|нефте\w*|енерге\w*|энерге\w*)",
     "energy"),
    (r"\b(residential|apartment|house|homes?|hospital|school|kindergarten|civilians?|market|shopping|"
     r"church|city cent(?:re|er)|житлов\w*|жилой|жилого|цивільн\w*|мирн\w+ жител\w*)", "civilian"),
    (r"\b(military|airfield|air base|airbase|positions|command post|ammunition|depot|barracks|troops|"
     r"soldiers|аеродром\w*|аэродром\w*|позиці\w*|позици\w*)", "military"),
]]

# Ukrainian and Russian triggers (rule-based path for Cyrillic text).
CYR_TRIGGERS: list[tuple[re.Pattern[str], T | None]] = [(re.compile(p, _I), t) for p, t in [
    (r"збил\w*|збит\w*|знищен\w* (?:\d+ )?(?:ворож\w+ )?(?:дрон|безпілот|ракет|БпЛА)|сбит\w*|сбил\w*|"
     r"перехвач\w*|перехопл\w*|уничтожен\w* (?:\d+ )?(?:БПЛА|беспилот|ракет)|нейтралізован\w*", T.interception),
    (r"обстріл\w*|обстрел\w*|обстріля\w*|обстреля\w*|артобстріл\w*|артобстрел\w*", T.shelling),
    (r"ракетн\w+ удар\w*|ракетн\w+ атак\w*", T.missile_strike),
    (r"авіаудар\w*|авиаудар\w*|скинул\w* (?:\d+ )?(?:КАБ|авіабомб|авиабомб)|бомбардуван\w*|бомбардировк\w*",
     T.air_strike),
    (r"атак\w* (?:ударних |ударных )?(?:дрон|безпілот|беспилот|БпЛА|БПЛА)\w*|(?:дрон|безпілот|беспилот)\w* атак\w*",
     T.drone_strike),
    (r"удар\w*|атакува\w*|атакова\w*|атак[аиуою]\b|атаку\w*|влучан\w*|попадан\w*|вибух\w*|взрыв\w*|"
     r"прильот\w*|прилет\w*|уражен\w*|поражен\w*", None),
    (r"бо[її]\b|бо[йя]\b|боях|бойов\w+ зіткнен\w*|боестолкновен\w*|штурм\w*|наступ\w*", T.armed_clash),
    (r"захопи\w*|захопл\w*|окупува\w*|оккупирова\w*|взял\w* под контроль|взяли|звільни\w*|звільнен\w*|"
     r"освободи\w*|освобожден\w*|установил\w* контроль|встанови\w* контроль", T.territorial_claim),
]]
CYR_RU_ACTOR = re.compile(r"(росі\w*|россий\w*|росся\w*|рашист\w*|окупант\w*|оккупант\w*|ворог\w*|"
                          r"ворож\w*|РФ\b|ВС РФ|армі\w+ РФ)", _I)
CYR_UA_ACTOR = re.compile(r"(ЗСУ|ВСУ|ВФУ|Сил\w* оборони|українськ\w+ (?:військ|сил|дрон|безпілот)\w*|"
                          r"украинск\w+ (?:войск|сил|дрон|беспилот|военн)\w*|киевск\w+ режим\w*|противник\w*|"
                          r"ВСУшник\w*|укронацист\w*|боевик\w* ВСУ)", _I)
CYR_KILLED = re.compile(r"(?:загину\w*|загибл\w*|погиб\w*|убит\w*|вбит\w*)\D{0,25}?(\d+|"
                        r"один|одна|двоє|дві|два|троє|три|четверо|двое|трое|пятеро|п['ʼ’]ятеро)"
                        r"|(\d+)\s+(?:людин\w*|осіб|человек|мирн\w+ жител\w*)?\s*(?:загину\w*|загибл\w*|погиб\w*)",
                        _I)
CYR_INJURED = re.compile(r"(?:поранен\w*|постражда\w*|ранен\w*|пострада\w*)\D{0,25}?(\d+|один|одна|двоє|дві|"
                         r"два|троє|три|четверо|двое|трое)|(\d+)\s+(?:людин\w*|осіб|человек)?\s*"
                         r"(?:поранен\w*|постражда\w*|ранен\w*|пострада\w*)", _I)
