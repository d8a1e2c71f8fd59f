"""Name and street lists of the synthetic population.

Sources:
- Last names: Faker's `fr_FR` person provider (`faker.providers.person.fr_FR.Provider.last_names`,
  MIT licence), read directly; the list is ordered by frequency in France, so it is sampled with
  decreasing weights. A short list of surnames frequent in the Nord and the Pas-de-Calais
  (Flemish, Picard, and the Polish and Italian immigration of the mining basin) and a list of
  surnames of Maghrebi origin complete it; both are compiled by hand for this demo.
- First names: a hand-compiled selection, per decade of birth and sex, among the names most
  given in France according to the INSEE's « Fichier des prénoms » (état civil, since 1900).
  Ranks are approximate: the lists only need to look right for their decade.
- Streets: the most frequent French street names, compiled by hand.

Nothing here is a real person's identity: names, streets and communes are drawn independently.
"""

from faker.providers.person.fr_FR import Provider as FakerFrenchNames

FRENCH_LAST_NAMES: tuple[str, ...] = tuple(FakerFrenchNames.last_names)

NORD_LAST_NAMES: tuple[str, ...] = (
    "Lefebvre", "Lemaire", "Delattre", "Deprez", "Descamps", "Devos", "Vandenbussche", "Vanhee",
    "Vandamme", "Verhaeghe", "Decock", "Dewulf", "Delannoy", "Dhalluin", "Leclercq", "Lecomte",
    "Demarcq", "Carlier", "Caron", "Cuvelier", "Delbecq", "Desmet", "Dujardin", "Duhamel",
    "Hennebelle", "Lemahieu", "Vasseur", "Pruvost", "Leleu", "Dumortier", "Delcroix", "Wattel",
    "Vandewalle", "Vermeersch", "Bultez", "Delforge", "Leroy", "Dupont", "Lenglet", "Dhainaut",
    "Hennion", "Catteau", "Flament", "Lecocq", "Duquesne", "Mortreux", "Plouvier", "Ducrocq",
    "Kowalski", "Nowak", "Wisniewski", "Lewandowski", "Kaczmarek", "Szymanski", "Wozniak",
    "Rossi", "Russo", "Esposito", "Bianchi",
)  # fmt: skip

MAGHREB_LAST_NAMES: tuple[str, ...] = (
    "Benali", "Benaissa", "Bouzid", "Haddad", "Mansouri", "Belkacem", "Hamidi", "Saidi",
    "Amrani", "Cherif", "Boukhari", "Mebarki", "Ziani", "Khelifi", "Brahimi", "Bouaziz",
    "Meziane", "Benyahia", "Rahmani", "Djellal", "El Amrani", "Benchekroun", "Idrissi",
    "Ouali", "Lahlou", "Chaoui", "Bensaid", "Aouadi", "Belhadj", "Touati",
)  # fmt: skip

MAGHREB_FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "M": (
        "Mohamed", "Ahmed", "Karim", "Rachid", "Farid", "Mehdi", "Yassine", "Sofiane", "Bilal",
        "Nabil", "Hakim", "Samir", "Mourad", "Khalid", "Youssef", "Rayan", "Adam", "Ilyes",
        "Amine", "Walid", "Hamza", "Ayoub", "Anis", "Nassim",
    ),
    "F": (
        "Fatima", "Malika", "Nadia", "Samira", "Khadija", "Leïla", "Karima", "Naïma", "Souad",
        "Yasmina", "Inès", "Sarah", "Lina", "Yasmine", "Amina", "Nora", "Aïcha", "Myriam",
        "Meriem", "Salma", "Sonia", "Hanane", "Imane", "Nour",
    ),
}  # fmt: skip

# Decade of birth -> sex -> names, most given first.
FIRST_NAMES_BY_DECADE: dict[int, dict[str, tuple[str, ...]]] = {
    1950: {
        "M": (
            "Jean", "Michel", "Alain", "Patrick", "Gérard", "Bernard", "Christian", "Daniel",
            "Jacques", "Pierre", "Philippe", "Claude", "René", "Serge", "Jean-Pierre",
            "Jean-Claude", "Roger", "André", "Dominique", "Marcel", "Francis", "Guy", "Yves",
            "Gilbert", "Jean-Marie", "Jean-Paul", "Joël", "Robert", "Georges", "Jean-Louis",
        ),
        "F": (
            "Marie", "Monique", "Nicole", "Françoise", "Martine", "Christiane", "Danielle",
            "Jacqueline", "Michèle", "Annie", "Chantal", "Josiane", "Colette", "Brigitte",
            "Jeannine", "Évelyne", "Sylvie", "Catherine", "Anne-Marie", "Christine",
            "Marie-Thérèse", "Bernadette", "Claudine", "Ginette", "Yvette", "Odile", "Huguette",
            "Josette", "Liliane", "Marie-Claude",
        ),
    },
    1960: {
        "M": (
            "Philippe", "Patrick", "Pascal", "Thierry", "Alain", "Éric", "Christophe", "Michel",
            "Daniel", "Dominique", "Jean-Luc", "Didier", "Bruno", "Frédéric", "Laurent",
            "Jean-Pierre", "Gilles", "Bernard", "Christian", "Joël", "Serge", "Francis",
            "Jean-Marc", "Jean-François", "Denis", "Olivier", "Hervé", "Franck", "Jacky", "Régis",
        ),
        "F": (
            "Sylvie", "Catherine", "Martine", "Isabelle", "Christine", "Nathalie", "Brigitte",
            "Françoise", "Chantal", "Dominique", "Patricia", "Véronique", "Pascale",
            "Marie-Christine", "Corinne", "Nadine", "Évelyne", "Annie", "Joëlle", "Muriel",
            "Valérie", "Marie", "Fabienne", "Béatrice", "Laurence", "Claudine", "Jocelyne",
            "Marie-Paule", "Danièle", "Frédérique",
        ),
    },
    1970: {
        "M": (
            "David", "Christophe", "Stéphane", "Laurent", "Sébastien", "Frédéric", "Éric",
            "Olivier", "Nicolas", "Pascal", "Franck", "Thierry", "Cédric", "Vincent", "Jérôme",
            "Fabrice", "Ludovic", "Yannick", "Arnaud", "Emmanuel", "Philippe", "Samuel",
            "Grégory", "Patrice", "Mickaël", "Hervé", "Bruno", "Didier", "Xavier", "Benoît",
        ),
        "F": (
            "Nathalie", "Isabelle", "Sandrine", "Valérie", "Sophie", "Stéphanie", "Christelle",
            "Véronique", "Karine", "Céline", "Virginie", "Delphine", "Laurence", "Corinne",
            "Séverine", "Carole", "Patricia", "Sylvie", "Cécile", "Florence", "Hélène", "Marie",
            "Catherine", "Magali", "Sabrina", "Caroline", "Emmanuelle", "Nadège", "Murielle",
            "Peggy",
        ),
    },
    1980: {
        "M": (
            "Julien", "Nicolas", "Sébastien", "Mickaël", "Jérémy", "Guillaume", "Anthony",
            "Romain", "Maxime", "Kevin", "David", "Thomas", "Alexandre", "Christophe", "Cédric",
            "Ludovic", "Jonathan", "Benjamin", "Mathieu", "Vincent", "Steve", "Fabien",
            "Florian", "Yohann", "Damien", "Jérôme", "Arnaud", "Grégory", "Aurélien", "Johnny",
        ),
        "F": (
            "Aurélie", "Émilie", "Julie", "Céline", "Stéphanie", "Élodie", "Sandrine", "Jessica",
            "Audrey", "Mélanie", "Laetitia", "Caroline", "Sophie", "Virginie", "Amandine",
            "Vanessa", "Sarah", "Laura", "Marie", "Anne", "Karine", "Angélique", "Séverine",
            "Cindy", "Sabrina", "Jennifer", "Delphine", "Christelle", "Émeline", "Ludivine",
        ),
    },
    1990: {
        "M": (
            "Kevin", "Thomas", "Nicolas", "Maxime", "Alexandre", "Quentin", "Anthony", "Julien",
            "Romain", "Florian", "Dylan", "Jordan", "Valentin", "Antoine", "Jérémy", "Mathieu",
            "Clément", "Benjamin", "Guillaume", "Alexis", "Hugo", "Lucas", "Loïc", "Bryan",
            "Théo", "Adrien", "Pierre", "Corentin", "Vincent", "Jonathan",
        ),
        "F": (
            "Laura", "Marine", "Pauline", "Camille", "Julie", "Manon", "Sarah", "Marion",
            "Justine", "Anaïs", "Mélanie", "Émilie", "Amandine", "Océane", "Morgane", "Léa",
            "Chloé", "Charlotte", "Élodie", "Audrey", "Mathilde", "Clara", "Jessica", "Mégane",
            "Inès", "Cindy", "Marie", "Aurélie", "Lucie", "Alison",
        ),
    },
    2000: {
        "M": (
            "Lucas", "Thomas", "Hugo", "Théo", "Maxime", "Enzo", "Nathan", "Alexandre",
            "Clément", "Quentin", "Louis", "Mathis", "Antoine", "Baptiste", "Valentin", "Romain",
            "Tom", "Dylan", "Nicolas", "Kylian", "Matteo", "Evan", "Noah", "Ethan", "Rayan",
            "Yanis", "Adam", "Corentin", "Axel", "Killian",
        ),
        "F": (
            "Léa", "Manon", "Chloé", "Camille", "Emma", "Océane", "Sarah", "Marie", "Clara",
            "Inès", "Lucie", "Pauline", "Mathilde", "Anaïs", "Laura", "Justine", "Julie",
            "Marine", "Lisa", "Lola", "Jade", "Maëlys", "Eva", "Noémie", "Louise", "Margaux",
            "Zoé", "Lina", "Célia", "Romane",
        ),
    },
    2010: {
        "M": (
            "Gabriel", "Louis", "Raphaël", "Jules", "Adam", "Lucas", "Léo", "Hugo", "Arthur",
            "Nathan", "Ethan", "Paul", "Timéo", "Noah", "Mathis", "Sacha", "Tom", "Nolan",
            "Maël", "Enzo", "Rayan", "Théo", "Aaron", "Liam", "Gabin", "Yanis", "Kaïs", "Eden",
            "Mohamed", "Nino",
        ),
        "F": (
            "Emma", "Jade", "Louise", "Alice", "Chloé", "Lina", "Léa", "Manon", "Rose", "Anna",
            "Inès", "Camille", "Lola", "Ambre", "Léna", "Zoé", "Juliette", "Julia", "Lou",
            "Sarah", "Romane", "Mila", "Eva", "Jeanne", "Nina", "Agathe", "Maëlys", "Lucie",
            "Aya", "Sofia",
        ),
    },
    2020: {
        "M": (
            "Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Maël", "Jules", "Noah", "Adam",
            "Lucas", "Hugo", "Sacha", "Gabin", "Liam", "Isaac", "Aaron", "Mohamed", "Éden",
            "Nino", "Tiago", "Ayden", "Marceau", "Léon", "Naël", "Ibrahim", "Timothée", "Lyam",
            "Milo", "Amir", "Paul",
        ),
        "F": (
            "Jade", "Louise", "Emma", "Ambre", "Alba", "Alma", "Rose", "Alice", "Lina", "Mila",
            "Anna", "Romy", "Iris", "Mia", "Julia", "Léna", "Inaya", "Chloé", "Lou", "Agathe",
            "Lya", "Ava", "Nina", "Jeanne", "Aya", "Léa", "Giulia", "Zoé", "Victoire", "Capucine",
        ),
    },
}  # fmt: skip

STREET_KINDS: tuple[tuple[str, int], ...] = (
    ("rue", 70), ("avenue", 8), ("allée", 5), ("impasse", 5), ("boulevard", 4), ("chemin", 3),
    ("place", 2), ("résidence", 3),
)  # fmt: skip

STREET_NAMES: tuple[str, ...] = (
    "de la République", "Jean Jaurès", "Victor Hugo", "Pasteur", "du Général de Gaulle",
    "de la Gare", "de l'Église", "de la Mairie", "des Écoles", "du Moulin", "Gambetta",
    "Jules Ferry", "Carnot", "Voltaire", "Émile Zola", "Anatole France", "de Paris",
    "de la Liberté", "du Château", "de la Paix", "Roger Salengro", "Jean Moulin", "Pierre Curie",
    "Léon Blum", "Nationale", "Faidherbe", "de Lille", "des Tilleuls", "des Lilas", "des Roses",
    "du Stade", "de la Fontaine", "du Marais", "des Acacias", "Salvador Allende",
    "du 8 Mai 1945", "du 11 Novembre", "Henri Barbusse", "Paul Vaillant-Couturier",
    "d'Alsace-Lorraine", "de Verdun", "Clemenceau", "Foch", "du Maréchal Leclerc",
    "de la Résistance", "des Peupliers", "du Bois", "du Calvaire", "de la Chapelle",
    "Jean-Baptiste Lebas", "Louise Michel", "Georges Brassens", "Jacques Prévert",
    "Simone Veil", "Lamartine", "Condorcet", "des Martyrs", "du Parc", "des Prés", "des Champs",
)  # fmt: skip

# Birth places abroad for the NIR: INSEE country codes (99 + 3 digits).
FOREIGN_BIRTH_COUNTRIES: tuple[tuple[str, int], ...] = (
    ("99350", 30),  # Maroc
    ("99352", 30),  # Algérie
    ("99351", 8),  # Tunisie
    ("99139", 6),  # Portugal
    ("99131", 6),  # Belgique
    ("99127", 3),  # Italie
    ("99134", 3),  # Espagne
    ("99122", 3),  # Pologne
    ("99208", 4),  # Turquie
    ("99341", 4),  # Sénégal
)

MAGHREB_COUNTRIES: tuple[str, ...] = ("99350", "99352", "99351")
