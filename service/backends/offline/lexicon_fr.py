"""French trigger lexicon: one regular expression per cue, after the ACLED codebook."""

from __future__ import annotations

from service.backends.offline.cues import Cue

FR: dict[Cue, str] = {
    Cue.CHEMICAL: r"armes? chimiques?|attaques? chimiques?|agents? chimiques?|chlore|sarin|"
    r"gaz (?:toxiques?|moutarde|asphyxiants?)|agents? neurotoxiques?",
    Cue.AIR: r"frappes? aériennes?|raids? aériens?|bombardements? aériens?|frappes? (?:de|par) "
    r"drones?|attaques? de drones?|avions? (?:de chasse|de combat|militaires?)|aviation|"
    r"appui aérien|moyens aériens|vecteurs aériens|hélicoptères? (?:de combat|d'attaque)|"
    r"drones? (?:armés?|de combat)|drones?|frappes? de l'armée de l'air|armée de l'air",
    Cue.SUICIDE: r"attentats?[- ]suicides?|attaques?[- ]suicides?|kamikazes?|"
    r"ceintures? (?:d'explosifs|explosives?)|s'est fait exploser|se sont fait exploser|"
    r"gilets? (?:d'explosifs|explosifs?)|véhicules?[- ]suicides?",
    Cue.SHELLING: r"tirs? d'(?:artillerie|obus|roquettes?|mortiers?)|obus|roquettes?|"
    r"missiles?|mortiers?|bombardements?|bombardé\w*|pilonn\w*|artillerie|tirs? indirects?",
    Cue.IED: r"engins? explosifs?(?: improvisés?)?|EEI|IED|mines? (?:artisanales?|"
    r"antipersonnel|anti-personnel|antichars?)|mines?|véhicules? piégés?|voitures? piégées?|"
    r"motos? piégées?|bombes? artisanales?|colis piégés?|(?:a|ont) sauté sur",
    Cue.EXPLOSION: r"bombes?|explosions?|explos\w+|déflagrations?|détonations?|explosifs?|"
    r"attentats?",
    Cue.GRENADE: r"grenades?(?! lacrymogènes?| assourdissantes?| de désencerclement)",
    Cue.SEXUAL: r"viols?|violée?s?(?! (?:le|la|les|l')\s?(?:cessez|accord|trêve|constitution|"
    r"loi|espace|frontière|droit))|violences? sexuelles?|agressions? sexuelles?|"
    r"abus sexuels?|esclavage sexuel|esclaves sexuelles",
    Cue.ABDUCTION: r"enlèvements?|enlev(?:é|ée|és|ées|er|aient|ait)|kidnapp\w*|rapts?|otages?|"
    r"séquestr\w*|disparitions? forcées?|rançons?|pris en otage|emmenés? de force",
    Cue.ARREST: r"arrest(?:ation|ations)|arrêt(?:é|ée|és|ées|er)|interpell\w*|garde à vue|"
    r"détenus?|détention|mandat de dépôt|écrou\w*|appréhend\w*|mis en examen|"
    r"incarcér\w*|condamn(?:é|ée|és|ées) à",
    Cue.PROTEST: r"manifest(?:ation|ations|ants?|ante|antes|é|és|er|ent|aient)|"
    r"protest(?:ation|ations|ataires?|é|er|ent|aient)|rassemblement\w*|grèves?|grévistes?|"
    r"sit-in|marche(?:s)? (?:pacifiques?|de protestation|blanches?)|marché|ont marché|"
    r"défil(?:é|és|ent|aient)|descendus? dans la rue|banderoles?|slogans?|pancartes?|"
    r"revendications?|mécontentement|colère|boycott\w*|ville morte|mobilisation",
    Cue.INTERVENTION: r"gaz lacrymogènes?|lacrymogènes?|canons? à eau|balles? en caoutchouc|"
    r"dispers\w*|matraqu\w*|interpell\w*|forces de l'ordre|charg(?:é|és|ée|er) (?:par )?"
    r"(?:la police|les forces)|empêch\w*|encercl\w*|bouclé",
    Cue.EXCESSIVE: r"balles? réelles?|tir(?:é|s)? à balles|ouvert le feu sur (?:les |des )?"
    r"(?:manifestants|protestataires|la foule)|(?:manifestants?|protestataires?) (?:\w+ ){0,4}"
    r"(?:tués?|morts?|abattus?)|(?:tué|abattu)s? (?:\w+ ){0,3}manifestants|répression",
    Cue.VIOLENT_CROWD: r"émeut\w*|violences? urbaines?|jets? de (?:pierres|projectiles)|"
    r"lanc(?:é|és|ant|er|aient) des (?:pierres|projectiles|cocktails)|cocktails? molotov|"
    r"heurts|affrontements? avec "
    r"(?:les forces de l'ordre|la police|les policiers)|caillass\w*|barricades?|"
    r"pneus brûlés|brûl(?:é|és|ant) des pneus",
    Cue.MOB: r"lynch\w*|foule en colère|justice populaire|vindicte populaire|"
    r"passés? à tabac|(?:foule|habitants|villageois) (?:\w+ ){0,2}(?:ont )?(?:lynché|battu)",
    Cue.CLASH: r"affrontements?|affronté\w*|accrochages?|combats?|échanges? de tirs|fusillades?|"
    r"embuscades?|ripost\w*|repouss\w*|contre-attaque\w*|contre-offensive|offensives?|"
    r"confrontations?|assauts?|opérations? (?:militaires?|antiterroristes?|de sécurisation|"
    r"de ratissage)|contré\w*|accroché",
    Cue.CLASH_WEAK: r"neutralis\w*|opérations?|combattants|engagements?|ratissage|"
    r"militaires|soldats|jihadistes|djihadistes|terroristes|rebelles",
    Cue.AGAINST_ARMED: r"contre (?:des|les|un|une|l') ?(?:groupes?|éléments|individus|hommes|"
    r"positions?|bases?)? ?(?:armés|terroristes|jihadistes|djihadistes|rebelles|hostiles|"
    r"ennemi\w*)|contre (?:les |des |un |une |l')?(?:positions?|postes?|camps?|base|"
    r"patrouilles?|convois?) (?:de l'armée|militaires?|des (?:FAMa|forces)|des soldats)|"
    r"terroristes|jihadistes|djihadistes",
    Cue.ATTACK: r"attaques?|attaqu(?:é|és|ée|ées|er|ent|aient|ait)|assaillants?|hommes armés|"
    r"individus armés|massacr\w*|tu(?:é|és|ée|ées|er|ent|aient)|assassin\w*|abattu\w*|"
    r"exécut(?:é|és|ion|ions)|égorg\w*|décapit\w*|tueries?|fusillés?|tirs|violences?",
    Cue.CIVILIAN: r"civils?|villageois|habitants|fidèles|passagers|agriculteurs|cultivateurs|"
    r"éleveurs|élèves|écoliers|étudiants|femmes|enfants|enseignants|journalistes|"
    r"humanitaires|commerçants|voyageurs|population|déplacés|réfugiés|village|marché|"
    r"école|église|mosquée|mariage|chef (?:de village|coutumier)",
    Cue.TAKE: r"pris (?:le )?contrôle|prise (?:de contrôle|de la ville|du camp|de la base)|"
    r"s'(?:est|sont) emparés? de|emparé\w*|(?:tombée?|tombé) (?:aux|entre les) mains|"
    r"occup(?:é|ée|ent|ation)|sous (?:le )?contrôle (?:de|des)",
    Cue.RETAKE: r"repris (?:le contrôle|la ville|la localité|possession)|reprise (?:de|du)|"
    r"libér(?:é|ée|ation) (?:de )?(?:la ville|la localité|du village|de la zone)|"
    r"reconquis\w*|reconquête|chass(?:é|és|er) (?:les|des)|délog\w*|restauré l'autorité",
    Cue.DISRUPT: r"désamorc\w*|déminage|démin\w*|(?:découverte|saisie|récupération) "
    r"(?:\w+ ){0,3}(?:d'armes|d'explosifs|de munitions|d'engins|de mines|de cartouches)|"
    r"caches? d'armes|intercept\w*|abattu (?:un|le|deux) drones?|déjou\w*|"
    r"(?:armes|munitions|explosifs|engins explosifs) (?:ont été |a été )?(?:saisi|saisies|"
    r"saisis|découverts?|récupérés?)|neutralis(?:é|és|er|ation) (?:un |d'un |des |deux )?"
    r"(?:engins? explosifs?|EEI|mines?|bombes?)",
    Cue.HEADQUARTERS: r"(?:installé|établi|implanté|ouvert|construit|créé|installation) "
    r"(?:\w+ ){0,3}(?:base|quartier général|QG|camp|poste avancé|poste de commandement)|"
    r"nouvelle base|nouveau camp militaire|s'(?:est|sont) installés?",
    Cue.LOOT: r"pill(?:é|ée|és|ées|age|ages|er|aient|ards)|saccag\w*|(?:incendi|détruit|"
    r"rasé|brûlé|démoli)\w* (?:\w+ ){0,3}(?:maisons|habitations|villages?|boutiques|"
    r"marché|biens|greniers|cases|églises|mosquées|écoles|véhicules|bâtiments?|"
    r"infrastructures?|mairie)|destruction (?:de biens|des biens|de maisons)|"
    r"incendi(?:é|ée|és|ées)|vandalis\w*",
    Cue.WITHDRAW: r"retir(?:é|és|ée|ées|ent|aient)|retrait|évacu(?:é|ée|és|ation) (?:de )?"
    r"(?:la |leur |leurs )?(?:base|camp|positions?)|abandonn(?:é|ée|és) (?:leurs? )?"
    r"(?:positions?|base|camp)|sans (?:combat|résistance|coup férir)|rétrocession|"
    r"passation|remis (?:les clés|le contrôle)",
    Cue.AGREEMENT: r"accords?|cessez-le-feu|trêve|signé|signature|protocole|traité|"
    r"échanges? de prisonniers|libér(?:é|és|ation) (?:des |de )?(?:otages|prisonniers|"
    r"détenus)|négoci\w*|pourparlers de paix|réconcili\w*|pacte",
    Cue.GROUP_CHANGE: r"(?:création|formation|naissance) (?:d'un|d'une) (?:nouveau |"
    r"nouvelle )?(?:groupe|milice|coalition|alliance|mouvement|front)|fusion\w*|scission|"
    r"défection\w*|se sont rendus|reddition|(?:a|ont) déposé les armes|dissou\w*|"
    r"dissolution|nouveau (?:chef|commandant|leader|émir)|nomm(?:é|ée) (?:\w+ ){0,2}"
    r"(?:chef|commandant)|allégeance|recrut\w*|déploi\w*|déploy\w*|renforts?|"
    r"mobilis(?:é|és|ation)|exercices? militaires?|ralli(?:é|és|ement)",
    Cue.NATURAL: r"séismes?|tremblements? de terre|secousses?|inondations?|inondé\w*|crues?|"
    r"glissements? de terrain|cyclones?|ouragans?|typhons?|tornades?|tempêtes?|"
    r"pluies? (?:torrentielles|diluviennes)|fortes pluies|intempéries|sécheresses?|famine|"
    r"feux de (?:forêt|brousse)|incendies? de forêt|tsunamis?|volcan\w*|éruptions?|"
    r"avalanches?|canicule|vague de chaleur|épidémies?|pandémie|choléra|paludisme|covid|"
    r"coronavirus|magnitude|eaux|sinistrés?|rivière|fleuve|débordement|submergé\w*",
    Cue.MAN_MADE: r"accidents?|collision|déraill\w*|chavir\w*|naufrage|effondr\w*|"
    r"éboulement|incendie|brasier|flammes|fuite de gaz|explosion (?:d'une|dans une|de la|du)"
    r" (?:usine|citerne|raffinerie|mine|bonbonne|dépôt|camion)|bousculade|noyade|noyés?|"
    r"intoxication|court-circuit|renvers\w*|percuté|carambolage|sapeurs-pompiers|pompiers",
    Cue.MAN_MADE_WEAK: r"feux?|flammes|fumée|bâtiment|immeuble|pont|pirogue|bateau|"
    r"embarcation|bus|camion|train|citerne|véhicule|toit|usine|entrepôt|puits|victimes|"
    r"drame|tragédie|bilan|secours|rescapés|carbonisés?",
    Cue.CRIME: r"drogues?|stupéfiants?|cocaïne|héroïne|cannabis|chanvre|trafic\w*|"
    r"trafiquants?|contrebande|cartels?|gangs?|mafia|blanchiment|extorsion|racket|"
    r"braquage\w*|vols? à main armée|voleurs?|cambriol\w*|escroquerie|crime organisé|"
    r"réseau criminel|faux billets|orpaillage illégal",
    Cue.DIPLOMACY: r"diplomat\w*|ambassad\w*|chancelleries?|envoyé spécial|ministre des "
    r"affaires étrangères|affaires étrangères|sommet|pourparlers|entretiens?|"
    r"s'est entretenu|visite (?:officielle|d'État|de travail)|en visite|bilatéral\w*|"
    r"délégations?|homologues?|condamn(?:é|e|ent|ation)|appel(?:é|le|lent) à|sanctions?|"
    r"conseil de sécurité|Nations unies|ONU|coopération|relations|reçu|audience",
    Cue.DIPLOMACY_WEAK: r"président|premier ministre|ministre|chef de l'État|dirigeants?|"
    r"responsables|gouvernement|international\w*|pays|déclaration|convenu",
    Cue.CLAIM: r"revendiqu\w*|revendication (?:de l'attaque|de l'attentat)",
    Cue.BLAME: r"accus(?:é|ée|ent|ant) (?:\w+ ){0,5}d'|imput(?:é|ée|ent)|attribu(?:é|ée|ent) "
    r"(?:\w+ ){0,3}à|responsables? (?:de|du)|soupçonnés? d'",
    Cue.POLITICS: r"élections?|élu|scrutin|vot(?:e|é|ent)|parlement\w*|députés?|sénat|"
    r"assemblée nationale|campagne|candidat\w*|présidentielle|gouvernement|démission\w*|"
    r"remaniement|investiture|coup d'État|putsch|référendum|opposition|transition|"
    r"constitution\w*|loi",
    Cue.ECONOMY: r"économ\w*|inflation|PIB|prix|bourse|budget|dette|impôts?|exportations?|"
    r"importations?|monnaie|banque centrale|taux|chômage|croissance|investissements?",
    Cue.STRATEGIC_OTHER: r"couvre-feu|état d'urgence|loi martiale|coupure d'internet|"
    r"fermeture (?:des|de la) frontières?|blocus|confinement",
}
