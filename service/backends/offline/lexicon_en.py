"""English trigger lexicon: one regular expression per cue, after the ACLED codebook."""

from __future__ import annotations

from service.backends.offline.cues import Cue

PLACES = (
    r"(?:\w+ ){0,3}(?:control|towns?|city|cities|villages?|districts?|areas?|"
    r"territor(?:y|ies)|regions?|bases?|airports?|provinces?|hills?|neighbou?rhoods?|"
    r"positions?|outposts?|checkpoints?|strongholds?|capital|island|border crossing|"
    r"oil fields?|dam)"
)

EN: dict[Cue, str] = {
    Cue.CHEMICAL: r"chemical (?:weapons?|attacks?|agents?|munitions?|gas)|chlorine|sarin|"
    r"mustard gas|nerve (?:agents?|gas)|toxic (?:gas|chemicals?|fumes)|poison(?:ous)? gas|"
    r"gas attacks?|asphyxiat\w*|suffocat\w*",
    Cue.AIR: r"air ?strikes?|air-strikes?|air raids?|aerial (?:bombardments?|attacks?|strikes?|"
    r"bombing|raids?)|drone (?:strikes?|attacks?)|(?:war|fighter|military) ?(?:planes?|jets?)|"
    r"jets?|helicopter gunships?|gunships?|combat helicopters?|(?:armed|combat|attack) drones?|"
    r"drones? (?:struck|hit|bombed|targeted|fired)|helicopters? (?:dropped|fired|struck)|"
    r"bombed from the air|barrel bombs?|air force|aircraft|airstrike|warplanes?|sorties?|"
    r"drones?",
    Cue.SUICIDE: r"suicide[- ](?:bomb\w*|attacks?|attackers?|vests?|belts?|car|truck|blasts?|"
    r"explosions?|mission)|blew (?:himself|herself|themselves) up|self-detonat\w*|kamikaze|"
    r"detonated (?:his|her|their) (?:explosive )?(?:vests?|belts?)",
    Cue.SHELLING: r"shell(?:ing|ed|s)|artillery|mortars?|rockets?|missiles?|katyushas?|"
    r"howitzers?|bombard(?:ed|ment|ments|ing)|projectiles?|cross-border fire|tank fire|"
    r"rocket-propelled|heavy weapons",
    Cue.IED: r"IEDs?|improvised explosives?(?: devices?)?|roadside (?:bombs?|explosives?|blasts?)|"
    r"land ?mines?|(?:anti-tank|anti-personnel) mines?|(?:car|truck|vehicle|motorcycle|"
    r"bicycle|parcel|sticky|magnetic|time) bombs?|(?:vehicle|truck)[- ]borne|"
    r"explosive devices?|booby[- ]trap\w*|remote[- ]control\w*|planted (?:a |the )?"
    r"(?:bomb|explosive)s?|mine (?:blast|explosion)|(?:hit|struck|stepped on|ran over) "
    r"(?:a |an )?(?:land ?)?mine",
    Cue.EXPLOSION: r"bomb(?:s|ing|ings|ed)?|blasts?|explosions?|explod\w*|detonat\w*|"
    r"explosives?",
    Cue.GRENADE: r"(?<!stun )(?<!gas )(?<!sound )(?<!smoke )grenades?|grenade attacks?",
    Cue.SEXUAL: r"rap(?:e|ed|es|ing|ist|ists)|gang-?rap\w*|sexual(?:ly)? (?:assault\w*|"
    r"violence|abuse\w*|exploitation|harass\w*|attacks?)|molest\w*|sex(?:ual)? slave\w*|"
    r"sodomi[sz]\w*|indecent assault",
    Cue.ABDUCTION: r"kidnap\w*|abduct\w*|hostages?|taken captive|held captive|captives?|"
    r"forced(?:ly)? disappear\w*|enforced disappearances?|went missing|ransom|whisked away|"
    r"taken away by|seized (?:\w+ ){0,2}(?:villagers|passengers|students|schoolgirls|"
    r"schoolchildren|women|workers)",
    Cue.ARREST: r"arrest(?:ed|s|ing)?|detain(?:ed|s|ing)?|detention|custody|apprehend\w*|"
    r"nabbed|rounded up|held for questioning|handcuffed|remanded|taken in|picked up by "
    r"(?:police|security)|booked|charged with|in jail|jailed|imprison\w*|sentenced|convicted",
    Cue.PROTEST: r"protest(?:s|ed|ers?|ing|ors?)?|demonstrat(?:ion|ions|ors?|ed|ing)|"
    r"rall(?:y|ies|ied|ying)|(?-i:march(?:ed|es|ers|ing)?)|(?-i:March(?:ers?|ed))|sit-ins?|"
    r"dharna|picket\w*|(?:general|hunger|labou?r|nationwide|national|indefinite|transport|"
    r"teachers'?|workers'?|doctors'?|nurses'?|students'?|truckers'?) strikes?|on strike|"
    r"strike action|strikers|boycott\w*|vigils?|slogans?|placards?|banners|chant\w*|"
    r"took to the streets|agitat(?:ion|ing|ed|ors?)|gherao\w*|blockad(?:e|ed|ing) (?:the )?"
    r"(?:road|highway)|walk-?outs?|bandh|hartal|activists|demanding|demanded",
    Cue.INTERVENTION: r"tear ?gas|teargas|water ?cannons?|rubber bullets?|pellet guns?|"
    r"batons?|baton[- ]charg\w*|lathi[- ]?charg\w*|dispers\w*|broke up|break up|"
    r"stun grenades?|pepper spray|cordon\w*|riot police|detained (?:\w+ ){0,2}(?:protesters|"
    r"demonstrators|activists|students)|arrest\w* (?:\w+ ){0,3}(?:protesters|demonstrators|"
    r"activists|participants|students|marchers)|(?:protesters|demonstrators|activists) "
    r"(?:\w+ ){0,3}(?:arrested|detained)|police (?:intervened|stopped|blocked|prevented)|"
    r"prevented (?:them|the|protesters)|scuffl\w*|pushed back|manhandled|roughed up|"
    r"forcibly (?:removed|evicted|dispersed)|bundled|(?:police|security forces|officers) "
    r"(?:\w+ ){0,2}(?:stopped|halted|blocked|foiled|intervened|removed|used force)|"
    r"detained|arrested|taken into custody|charged|chased",
    Cue.EXCESSIVE: r"(?:opened|open) fire on (?:\w+ ){0,2}(?:protesters|demonstrators|crowds?|"
    r"marchers|students)|live (?:ammunition|rounds|bullets)|(?:fired|firing|shot) (?:\w+ ){0,2}"
    r"(?:at|into|on) (?:the )?(?:crowds?|protesters|demonstrators)|(?:protesters?|"
    r"demonstrators?|marchers?|students|activists) (?:\w+ ){0,4}(?:killed|shot dead|died|"
    r"were shot|injured|wounded|hospitali[sz]ed|beaten)|(?:killed|injur\w+|wound\w+|"
    r"beat(?:en|ing)?|assault\w*) (?:\w+ ){0,3}(?:protesters|demonstrators|students|"
    r"activists|marchers)|crackdown|brutal\w*|excessive force",
    Cue.VIOLENT_CROWD: r"riot(?:s|ing|ers|ed)?|(?:threw|throwing|hurled|hurling|pelted|pelting)"
    r" (?:\w+ ){0,3}(?:stones|rocks|bricks|petrol bombs|molotov\w*|bottles|objects|"
    r"projectiles|firecrackers)|stone[- ]pelt\w*|molotov cocktails?|petrol bombs?|"
    r"burn(?:ed|ing|t) (?:\w+ ){0,2}(?:tyres|tires|effig\w*)|clash(?:ed|es) with (?:the )?"
    r"(?:police|security forces)|(?:attacked|stormed) (?:the |a )?(?:police|station|office|"
    r"parliament)|rampag\w*|violent (?:protests?|demonstrations?|protesters|crowds?)|unrest|"
    r"went on (?:a )?rampage",
    Cue.MOB: r"mobs?|lynch\w*|vigilantes?|angry (?:crowds?|residents|villagers|youths|locals)|"
    r"mob justice|jungle justice|beaten to death|(?:crowds?|villagers|residents|locals) "
    r"(?:\w+ ){0,2}(?:beat|thrashed|attacked|lynched|assaulted)|thrash\w*|set upon",
    Cue.CLASH: r"clash(?:es|ed)?|fight(?:ing|s)?|fought|gun ?battles?|fire ?fights?|"
    r"exchange(?:d|s)? (?:of )?(?:fire|gunfire)|shoot-?outs?|skirmish\w*|ambush(?:ed|es)?|"
    r"repuls(?:ed|e)|repell(?:ed)?|counter-?attack\w*|counter-?offensive|offensive|"
    r"battl(?:e|es|ed|ing)|retaliat\w*|returned fire|cross-?fire|hostilities",
    Cue.CLASH_WEAK: r"combat|engaged|engagement|neutrali[sz]\w*|insurgency|encounter|"
    r"frontline|front line|operations?|troops|militants|insurgents|rebels",
    Cue.AGAINST_ARMED: r"(?:against|on|targeting) (?:the )?(?:\w+ )?(?:militants|insurgents|"
    r"rebels?|jihadists|terrorists|armed groups?|fighters|militia\w*|army|military|troops|"
    r"soldiers|security forces|police|checkpoints?|military (?:base|post|camp|convoy)|"
    r"army (?:base|post|camp|convoy|patrol))|(?:troops|soldiers|forces|army|military) "
    r"(?:\w+ ){0,2}(?:killed|repelled|pushed back|attacked|raided) (?:\w+ ){0,2}"
    r"(?:militants|insurgents|rebels|jihadists|terrorists|fighters|gunmen|bandits)|"
    r"(?:militants|insurgents|rebels|jihadists|gunmen) (?:\w+ ){0,2}attacked (?:\w+ ){0,2}"
    r"(?:troops|soldiers|army|military|police|security|base|post|checkpoint)",
    Cue.ATTACK: r"attack(?:s|ed|ing|ers)?|assault\w*|raid(?:s|ed)?|stormed|gunm[ae]n|"
    r"armed (?:men|assailants)|assailants|shot (?:dead|and killed)|opened fire|gunfire|"
    r"massacre\w*|killing\w*|killed|murder\w*|slaughter\w*|execut(?:ed|ions?)|behead\w*|"
    r"hacked|stabb\w*|machete|shot|bandits",
    Cue.CIVILIAN: r"civilians?|villagers?|residents?|worshippers?|passengers?|farmers?|"
    r"herders?|pupils|schoolchildren|women|children|teachers?|journalists?|aid workers?|"
    r"traders?|travell?ers|motorists|famil(?:y|ies)|christians|muslims|churchgoers|mourners|"
    r"fishermen|unarmed|villages?|homes?|church|mosque|market|school|wedding|doctors?|"
    r"medics|hospital|refugees?|displaced|camp for|"
    r"(?:\w+ )?(?:leader|activist|chief|politician|candidate|worker|student)s?",
    Cue.TAKE: r"(?:captured|seized|overran|overrun|occupied|took over|taken over|"
    r"took control|taken control|seized control|gained control|assumed control) "
    + PLACES
    + r"|(?:captured|seized|overran|took over|occupied|entered|secured) (?:the )?(?:(?:town|"
    r"city|village|district) of )?(?-i:[A-Z]\w+)|(?:entered|secured|swept into|advanced into|"
    r"moved into|pushed into) " + PLACES + r"|under (?:\w+ ){0,2}control|"
    r"(?:fell|falls|fallen) (?:to|into the hands of)|under (?:the )?(?:full )?control of|"
    r"overr(?:a|u)n",
    Cue.RETAKE: r"recaptur\w*|retook|retaken|re-?took|re-?captured|liberat(?:ed|ing)|"
    r"took back|regained|(?:retake|regain(?:ed|s|ing)?|"
    r"reclaim\w*|won back|took back|taken back|liberat(?:ed|ing|e)|cleared|re-?established|"
    r"restored|reasserted) " + PLACES + r"|liberation of|"
    r"dr(?:ove|iven) (?:out|back) (?:\w+ ){0,2}(?:militants|insurgents|rebels|fighters|jihadists|"
    r"terrorists|gunmen)|(?:militants|insurgents|rebels|fighters|jihadists) (?:were )?(?:driven|"
    r"flushed|pushed) out|back under (?:\w+ )?control",
    Cue.DISRUPT: r"defus(?:ed|ing|e|al)|(?:disarmed|disabled|deactivated|neutrali[sz]ed) "
    r"(?:an? |the |\w+ ){0,2}(?:bombs?|devices?|explosives?|IEDs?|mines?|shells?|grenades?)|"
    r"bomb disposal|bomb squad|controlled (?:explosion|detonation)|(?:found|discovered|detected|"
    r"spotted|recovered|seized|uncovered|unearthed|confiscated|intercepted|impounded|"
    r"retrieved|dug up) (?:\w+ ){0,4}(?:weapons|arms|explosives?|ammunition|rounds|IEDs?|"
    r"bombs?|rifles|guns|pistols|grenades?|rockets?|mortars?|detonators|caches?|firearms|"
    r"landmines?|mines|shells|devices?)|(?:weapons|arms|ammunition|explosives?) caches?|"
    r"ammunition dumps?|intercept(?:ed|s|ion|ions)|shot down|(?:foiled|thwarted|averted|"
    r"prevented|busted|stopped) (?:\w+ ){0,3}(?:attack|plot|bomb\w*|attempt|blast)|"
    r"(?:weapons|arms|ammunition|explosives?|rifles|guns|bombs?|IEDs?|devices?|grenades?|"
    r"mines?|shells?) (?:\w+ ){0,3}(?:seized|recovered|confiscated|found|surrendered|handed "
    r"over|discovered|detected|defused|destroyed safely|disposed)|arms haul|demin\w*|"
    r"de-?mining|unexploded|live (?:bombs?|shells?|grenades?|mortars?|rounds)|"
    r"bomb scare|suspicious (?:object|package|device|bag)",
    Cue.HEADQUARTERS: r"(?:set up|sets up|setting up|established?|establishing|opened|built|"
    r"erected|constructed|inaugurated|installed) (?:\w+ ){0,3}(?:bases?|headquarters|HQ|camps?|"
    r"outposts?|garrisons?|command (?:post|centre|center)|training camps?|checkpoints?|posts?|"
    r"offices?|barracks|positions)|new (?:military |army )?(?:bases?|headquarters|outposts?|"
    r"camps?)|(?:moved|relocated|shifted) (?:its|their) (?:base|headquarters)|stationed|"
    r"garrisoned|set(?:ting)? up camp|camped|encamp\w*|took up positions|(?:turned|converted) "
    r"(?:\w+ ){0,3}into (?:a )?(?:base|camp|headquarters|barracks)|(?:base|camp|post|outpost|"
    r"headquarters) (?:was|were|has been|had been) (?:set up|established|built|opened)",
    Cue.LOOT: r"loot(?:ed|ing|ers)?|pillag\w*|plunder\w*|ransack\w*|(?:burn(?:ed|t)|torched|"
    r"razed|destroyed|demolished|set ablaze|set fire to|damaged|vandali[sz]ed|bulldoz\w*) "
    r"(?:\w+ ){0,3}(?:houses|homes|villages?|shops|markets?|property|properties|buildings?|"
    r"huts|churches|mosques|schools|vehicles|cars|buses|trucks|crops|granaries|offices?|"
    r"statues?|temples?|shrines?|towers?|infrastructure|stations?|equipment|bridges?|"
    r"polling|ballot)|property destruction|arson\w*|vandal\w*|demolition|torch(?:ed|ing)|"
    r"set (?:\w+ ){0,3}(?:on fire|ablaze|alight)|damag(?:ed|ing) (?:\w+ ){0,2}(?:vehicles|"
    r"property|shops)",
    Cue.WITHDRAW: r"withdr(?:ew|awn|aw|awal|awing|aws)|pull(?:ed|s|ing)? out|pullout|"
    r"hand(?:ed|ing|s)? over (?:\w+ ){0,3}(?:control|base|town|city|territory|area|"
    r"positions?|posts?|region)|handover|retreat(?:ed|s|ing)?|abandon(?:ed|s)? (?:\w+ ){0,2}"
    r"(?:positions?|bases?|towns?|city|villages?|posts?)|vacated|without (?:a )?(?:fight|"
    r"resistance|firing)|evacuat(?:ed|ion) of (?:the )?(?:base|positions?)|left the (?:town|"
    r"city|area|base)|peacefully took|took over (?:\w+ ){0,3}peacefully|transferred control",
    Cue.AGREEMENT: r"agreements?|agreed|accords?|cease-?fires?|truce|peace (?:deal|pact|treaty|"
    r"accord|agreement|plan|talks)|signed|memorandum|MoU|(?:prisoner|hostage|detainee)s? "
    r"(?:swap|exchange|release)|released (?:\w+ ){0,3}(?:prisoners|hostages|detainees|"
    r"captives)|deal (?:to|with|between)|settlement|reconcil\w*|negotiat\w*|pact",
    Cue.GROUP_CHANGE: r"(?:formed|formation of|launched|created|founded|forming|announced) "
    r"(?:\w+ ){0,3}(?:group|militia|coalition|alliance|faction|movement|party|brigade|"
    r"battalion|unit|force|wing|front)|merg(?:ed|er|ing|e)|split (?:from|off)|splinter\w*|"
    r"defect(?:ed|ion|ions|ors?)|surrender(?:ed|s|ing)?|laid down (?:their|its) "
    r"(?:arms|weapons)|lay down (?:their )?arms|disband\w*|dissol(?:ved|ution)|"
    r"new (?:leader|commander|chief|head|emir)|(?:appointed|named|elected) (?:\w+ ){0,3}"
    r"(?:leader|commander|chief|head|emir)|pledged allegiance|allegiance|recruit\w*|"
    r"deploy(?:ed|ment|ments|s|ing)|reinforcements?|sent (?:\w+ ){0,3}(?:troops|soldiers|"
    r"forces)|mobili[sz](?:ed|ation|ing)|joined (?:forces|the)|military (?:exercises?|"
    r"drills?)|(?:weapons?|missile|nuclear) tests?|test-?fired|renamed|rebrand\w*|"
    r"(?:suspend|resum|halt|end)(?:ed|s|ing)? (?:its|their) (?:operations|activities|"
    r"campaign|attacks|offensive)|troops (?:arrived|moved)|reshuffl\w*|rehabilitat\w*",
    Cue.NATURAL: r"earthquakes?|quakes?|tremors?|floods?|flooding|flooded|floodwaters?|"
    r"flash floods?|landslides?|mudslides?|cyclones?|hurricanes?|typhoons?|tornado(?:es)?|"
    r"storms?|heavy rains?|rainfall|torrential|monsoon|downpours?|droughts?|famine|"
    r"wildfires?|forest fires?|bush ?fires?|tsunamis?|volcan\w*|erupt(?:ion|ions|ed)|"
    r"avalanches?|heat ?waves?|cold ?waves?|lightning|epidemic|pandemic|outbreaks?|cholera|"
    r"ebola|covid(?:-19)?|coronavirus|virus|infections?|infected|positive cases|"
    r"(?:new|fresh|active) cases|cases (?:of|rose|rise|surge)|locusts?|magnitude|"
    r"richter|dengue|malaria|measles|deluge|snowfall|blizzard|hailstorm|inundat\w*",
    Cue.MAN_MADE: r"accidents?|accidental(?:ly)?|crash(?:ed|es)?|collided|collision|derail\w*|"
    r"capsiz\w*|sank|sinking|shipwreck|collaps\w*|caved in|fire (?:broke out|gutted|"
    r"engulfed|razed|erupted|spread)|blaze|gutted|inferno|fire at|fire in|caught fire|"
    r"fire tenders|firefighters?|fire brigade|(?:gas|chemical|oil|fuel|ammonia) (?:leak|"
    r"explosion|spill|tanker)|leak(?:ed|age|s)?|spill(?:ed|s)?|stampede|electrocut\w*|"
    r"drown\w*|poisoning|hooch|spurious liquor|short[- ]circuit|plunged|overturned|"
    r"(?:factory|plant|refinery|warehouse|boiler|cylinder|tanker|pipeline|fireworks?|"
    r"firecracker) (?:\w+ ){0,2}(?:explosion|blast|fire|exploded)|(?:explosion|blast|fire) "
    r"(?:\w+ ){0,3}(?:factory|plant|refinery|warehouse|boiler|cylinder|tanker|pipeline|"
    r"fireworks?|depot|godown|firecracker)|mishap|tragedy|charred|burn injuries|"
    r"trapped|rescue (?:operation|teams?|workers)|debris|rubble",
    Cue.CRIME: r"drugs?|narcotics?|cocaine|heroin|methamphetamine|meth|cannabis|marijuana|"
    r"ganja|opium|hashish|trafficking|traffickers?|smuggl\w*|contraband|cartels?|gangs?|"
    r"gangsters?|mafia|syndicates?|money laundering|laundering|extortion|racket\w*|"
    r"counterfeit\w*|fake (?:currency|notes)|poach\w*|illegal(?:ly)? (?:mining|logging|"
    r"arms|weapons|liquor|sand)|bootlegg\w*|robbery|robber(?:s|ies)|armed robbery|heist|"
    r"dacoit\w*|theft|thieves|stolen|fraud\w*|scam\w*|brib\w*|organi[sz]ed crime|hawala|"
    r"(?:kg|kilograms?|grams|tonnes|tons|kilos) of|peddl\w*|drug lords?|narco\w*",
    Cue.DIPLOMACY: r"diplomat\w*|ambassadors?|embass(?:y|ies)|envoys?|foreign (?:minister|"
    r"ministry|secretary|affairs|office|policy)|secretary of state|bilateral|multilateral|"
    r"summit|talks|counterparts?|(?:state|official) visit|visit(?:ed|s|ing)?|trip|"
    r"delegations?|condemn(?:ed|s|ation|ing)|(?:called|calls|calling) (?:on|for|upon)|"
    r"urg(?:ed|es|ing)|sanctions?|United Nations|Security Council|resolution|consulates?|"
    r"treaty|(?:diplomatic|bilateral) (?:relations|ties)|ties|relations|cooperation|"
    r"partnership|condolences|expressed (?:\w+ ){0,2}(?:concern|solidarity|support)|hosted|"
    r"welcomed|met(?: with)?|meets|meeting|discuss(?:ed|es|ing)?|held talks|spoke (?:with|to)|"
    r"phone (?:call|conversation)|telephone\w*|mediat\w*|normali[sz]\w*|recogni[sz]\w*|"
    r"appeal(?:ed|s)? (?:to|for)|(?:European|African) Union|NATO|ASEAN|G7|G20",
    Cue.DIPLOMACY_WEAK: r"president|prime minister|premier|minister|chancellor|king|"
    r"leaders?|officials|government|foreign|international|countries|nations|"
    r"statement|agreed",
    Cue.CLAIM: r"claim(?:ed|s|ing)? (?:\w+ ){0,2}responsibility|responsibility (?:for|was "
    r"claimed)|took responsibility|(?:has |have )?claimed (?:the|this|that|an?) (?:\w+ )?"
    r"(?:attack|bombing|killing|blast|assault|ambush|explosion)|claimed by|owned up|"
    r"took credit|(?:said|says|announced|admitted|acknowledged|confirmed) (?:that )?(?:it|they|"
    r"its (?:fighters|forces|militants|members)) (?:had )?(?:carried out|conducted|launched|"
    r"executed|(?:was|were) behind|targeted|struck|killed|attacked)",
    Cue.BLAME: r"blam(?:ed|es|ing)|accus(?:ed|es|ing)|held (?:\w+ ){0,3}responsible|"
    r"denied (?:any )?(?:involvement|responsibility)|pointed the finger|"
    r"(?:were|was|is|are) behind|responsible for|suspected (?:of|to be)|attributed (?:\w+ )?"
    r"to|(?:carried out|perpetrated) by|linked to",
    Cue.POLITICS: r"elections?|elected|vot(?:e|es|ed|ing|ers)|ballots?|polls?|"
    r"parliament\w*|lawmakers?|legislat\w*|senate|congress|campaign\w*|candidates?|"
    r"presidential|cabinet|resign(?:ed|ation|s)?|impeach\w*|sworn in|inaugurat\w*|coup|"
    r"referendum|opposition|ruling party|constitution\w*|bill|law",
    Cue.ECONOMY: r"econom\w*|inflation|GDP|prices?|stock market|stocks?|shares|investors?|"
    r"budget|debt|tax(?:es)?|exports?|imports?|currency|central bank|interest rates?|"
    r"unemployment|growth|revenue|tariffs?|investment",
    Cue.MAN_MADE_WEAK: r"(?<!opened )(?<!open )(?<!returned )(?<!of )(?<!cease-)(?<!cease)fires?"
    r"(?! on| at)|blazes?|flames|smoke|building|bridge|boat|ferry|bus|truck|lorry|train|"
    r"tanker|vehicle|roof|factory|plant|warehouse|well|borewell|cylinder|sewer|tank|"
    r"burn(?:ed|t) (?:down|to death|alive)|suffocat\w*|firemen|fire ?fighters|fire "
    r"(?:department|service|brigade)|victims|tragedy|injured|toll",
    Cue.STRATEGIC_OTHER: r"curfew|state of emergency|martial law|internet (?:shutdown|"
    r"blackout)|closed (?:\w+ ){0,2}borders?|border closure|lockdown|blockade|"
    r"no-fly zone|evacuat(?:ed|ion) (?:\w+ ){0,3}(?:residents|civilians|citizens)",
}
