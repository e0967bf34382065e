"""Write ``generado.txt``: Spanish sentences from a small hand-written grammar.

The frames and word lists below were written for this project. They add what
free prose tends to lack in a few hundred lines: numbers written as digits in
the Spanish convention (thousands with a dot, 12.500; decimals with a comma,
3,5), years, dates, times, money, percentages, ordinals (1.º, 3.ª) and common
abbreviations (Sr., Sra., Dr., Dra., etc., pág., núm., EE. UU., S.A., Ud.,
Uds., aprox.). Seeded, so the file is the same on every run.

    python recipes/kumo/sentences_es/generado.py            # 400 sentences

Standard library only.
"""

import argparse
import datetime
import random
from pathlib import Path

MIN_WORDS, MAX_WORDS = 2, 25

NOMBRES = ["Lucía", "Mateo", "Carmen", "Joaquín", "Ximena", "Íñigo", "Begoña", "Rodrigo", "Guadalupe", "Agustín",
           "Yolanda", "Ramiro", "Inés", "Jorge", "Zoe", "Hugo", "Valeria", "Gonzalo", "Nuria", "Chema", "Rocío",
           "Guillermo", "Marisol", "Enrique"]
APELLIDOS = ["García", "Núñez", "Ibáñez", "Herrera", "Vázquez", "Quiroga", "Echeverría", "Jiménez", "Gutiérrez",
             "Zamora", "Argüello", "Llorente", "Ruiz", "Castillo", "Villalobos", "Peña", "Carrasco", "Chávez"]
# (abbreviated title, grammatical gender)
TITULOS = [("Sr.", "m"), ("Sra.", "f"), ("Dr.", "m"), ("Dra.", "f")]
EMPRESAS = ["Hierros del Norte", "Conservas Marinas", "Jardines Ruiz", "Transportes Quiroga", "Lácteos Peña",
            "Vidrios Echeverría", "Papelera del Sur", "Aceites Carrasco"]
CIUDADES = ["Madrid", "Sevilla", "Bogotá", "Lima", "México", "Quito", "Guadalajara", "Valparaíso", "Montevideo",
            "Zaragoza", "Asunción", "Cuzco", "Oaxaca", "Rosario", "Bilbao", "La Paz", "Caracas", "Santiago"]
AVENIDAS = ["Avda. de la Constitución", "Avda. del Puerto", "Avda. de los Olivos", "Avda. Juárez",
            "Avda. de Cervantes", "Avda. del Ferrocarril"]
CALLES = ["calle Mayor", "calle del Carmen", "calle de la Paz", "calle Arrieta", "calle de los Herreros",
          "calle Jazmín", "calle del Pozo", "calle Cigüeña"]
LUGARES = ["la biblioteca", "el puerto", "el museo", "la estación", "el mercado", "la plaza", "la panadería",
           "el ayuntamiento", "la farmacia", "el taller", "el zoológico", "el teatro", "la escuela", "el hospital"]
# plural nouns that follow a count
COSAS = ["bicicletas", "tarros de miel", "guitarras", "pares de botas", "mapas", "linternas", "sillas", "sobres",
         "cuadernos", "lápices", "paraguas", "bufandas de lana", "macetas", "relojes", "cojines", "naranjas",
         "churros", "yogures", "jarras", "llaves"]
# singular objects, (noun, gender)
OBJETOS = [("paraguas", "m"), ("cuaderno", "m"), ("reloj", "m"), ("abrigo", "m"), ("maletín", "m"),
           ("bufanda", "f"), ("llave", "f"), ("cartera", "f"), ("guitarra", "f"), ("mochila", "f"),
           ("chaqueta", "f"), ("pañuelo", "m")]
# (subject, gender) of something built in a given year
OBRAS = [("El puente", "m"), ("La catedral", "f"), ("El mercado", "m"), ("La estación", "f"),
         ("El faro", "m"), ("La muralla", "f"), ("El teatro", "m"), ("La biblioteca", "f")]
VERBOS = ["arregló", "pintó", "llevó", "midió", "revisó", "limpió", "vendió", "guardó", "devolvió", "encontró"]
MESES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
         "noviembre", "diciembre"]
DIAS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
# dates that really happened
HECHOS = [
    "Colón llegó a América el 12 de octubre de 1492.",
    "El hombre pisó la Luna el 20 de julio de 1969.",
    "El Muro de Berlín cayó el 9 de noviembre de 1989.",
    "La Primera Guerra Mundial terminó el 11 de noviembre de 1918.",
    "Argentina declaró su independencia el 9 de julio de 1816.",
    "La Constitución española se aprobó en referéndum el 6 de diciembre de 1978.",
    "La primera parte del Quijote se publicó en 1605.",
    "El Grito de Dolores se dio el 16 de septiembre de 1810.",
    "El canal de Panamá se abrió al tráfico el 15 de agosto de 1914.",
]


# --- number formats ----------------------------------------------------------------------------


def miles(n):
    """An integer with a dot between thousands: 12500 -> '12.500' (used from 1.000 upwards)."""
    return f"{n:,}".replace(",", ".")


def decimal(x, places=1):
    """A decimal with a comma: 3.5 -> '3,5'; a whole number stays whole (4.0 -> '4')."""
    text = f"{x:.{places}f}"
    return text.split(".")[0] if text.endswith("." + "0" * places) else text.replace(".", ",")


def ordinal(n, genero):
    """Ordinal in figures: 3.º (masculine) or 3.ª (feminine)."""
    return f"{n}.{'º' if genero == 'm' else 'ª'}"


def dinero(r):
    """An amount of money in one of the common Spanish forms."""
    forma = r.randint(0, 5)
    if forma == 0:
        return f"{r.randint(2, 99)} euros"
    if forma == 1:
        return f"{decimal(r.randint(100, 9999) / 100, 2)} euros"
    if forma == 2:
        return f"{miles(r.choice([300, 450, 1200, 2500, 15000, 80000, 250000]))} pesos"
    if forma == 3:
        return f"${miles(r.choice([5, 12, 40, 75, 120, 300, 1500, 2400, 12000]))}"
    if forma == 4:
        return f"{miles(r.randint(1, 40) * 250)} euros"
    return f"{decimal(r.randint(100, 9999) / 100, 2)} €"


def hora(r, veinticuatro=False):
    """A clock time with its article: 'las 7:30', 'la 1:15', 'las 19:45'."""
    h = r.randint(0, 23) if veinticuatro else r.randint(1, 12)
    m = r.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
    return f"{'la' if h == 1 else 'las'} {h}:{m:02d}"


def fecha(r, desde=1900, hasta=2030):
    """A real calendar date, '12 de octubre de 1998', and its day of the week."""
    dia = datetime.date(r.randint(desde, hasta), r.randint(1, 12), r.randint(1, 28))
    return f"{dia.day} de {MESES[dia.month - 1]} de {dia.year}", DIAS[dia.weekday()]


def persona(r):
    """A first name, or an article, a title and a surname (el Sr. Núñez, la Dra. Herrera)."""
    if r.random() < 0.45:
        titulo, genero = r.choice(TITULOS)
        return f"{el(genero)} {titulo} {r.choice(APELLIDOS)}"
    return r.choice(NOMBRES)


def cap(text):
    """Capitalise the first letter only (for a sentence that starts with ``persona``)."""
    return text[:1].upper() + text[1:]


def el(genero):
    return "el" if genero == "m" else "la"


def millones(n):
    """Money in figures; a round million takes 'de' as in speech: '1.000.000 de euros'."""
    return f"{miles(n)} de" if n % 1_000_000 == 0 else miles(n)


def obra(r):
    nombre, genero = r.choice(OBRAS)
    return nombre, ("construido" if genero == "m" else "construida")


def objeto(r):
    """A singular object and the word that agrees with it: ('abrigo', 'listo'), ('bufanda', 'lista')."""
    nombre, genero = r.choice(OBJETOS)
    return nombre, ("listo" if genero == "m" else "lista")


def el_objeto(r):
    """A singular object with its article: 'el abrigo', 'la bufanda'."""
    nombre, genero = r.choice(OBJETOS)
    return f"{el(genero)} {nombre}"


# --- frames ------------------------------------------------------------------------------------


def _titulo_de_cortesia(r):
    """'Sí, Sr. Peña' / 'No, Sra. Ruiz': a title in direct address takes no article."""
    return f"{r.choice(['Sí', 'No'])}, {r.choice(TITULOS[:2])[0]} {r.choice(APELLIDOS)}"


FRAMES = [
    lambda r: f"{cap(persona(r))} compró {r.randint(2, 19)} {r.choice(COSAS)} por {dinero(r)}.",
    lambda r: "{} fue {} en {} cerca de {}.".format(*obra(r), r.randint(1500, 2024), r.choice(CIUDADES)),
    lambda r: f"Nos vemos en {r.choice(LUGARES)} a {hora(r)}.",
    lambda r: f"Los precios subieron un {r.randint(2, 60)} % en {r.choice(MESES)} de {r.randint(1990, 2030)}.",
    lambda r: f"{cap(persona(r))} vive en la {r.choice(CALLES)}, núm. {r.randint(2, 250)}, en {r.choice(CIUDADES)}.",
    lambda r: f"El {fecha(r)[0]}, {persona(r)} {r.choice(VERBOS)} la {r.choice(['valla', 'barca', 'puerta', 'mesa'])}.",
    lambda r: f"¿A qué hora abre {r.choice(LUGARES)}? A {hora(r)}.",
    lambda r: f"{r.choice(NOMBRES)} llegó en {ordinal(r.randint(1, 40), 'm')} lugar entre {r.randint(41, 900)} "
              f"corredores.",
    lambda r: f"La receta lleva {decimal(r.randint(5, 30) / 10)} kilos de harina y {r.randint(2, 9)} huevos.",
    lambda r: "\"¿Ha visto Ud. mi {}?\", preguntó {}.".format(objeto(r)[0], persona(r)),
    lambda r: f"Cada {r.choice(DIAS)}, {r.choice(NOMBRES)} camina {decimal(r.randint(15, 150) / 10)} kilómetros "
              f"hasta {r.choice(LUGARES)}.",
    lambda r: f"¡Más de {miles(r.randint(2, 90) * 1000)} personas llenaron "
              f"{r.choice(['el estadio', 'la plaza', 'el paseo marítimo', 'el parque', 'la avenida'])}!",
    lambda r: f"El tren a {r.choice(CIUDADES)} sale del andén {r.randint(1, 14)} a {hora(r, True)}.",
    lambda r: f"La respuesta está en la pág. {r.randint(2, 480)} del {ordinal(r.randint(2, 20), 'm')} capítulo.",
    lambda r: f"La oficina está en la {ordinal(r.randint(1, 12), 'f')} planta, puerta {r.randint(1, 30)}.",
    lambda r: f"El año pasado, la feria de {r.choice(CIUDADES)} recibió aprox. {miles(r.randint(2, 990) * 100)} "
              f"visitantes.",
    lambda r: "Traed {}, {}, {}, etc.".format(*r.sample(COSAS, 3)),
    lambda r: f"¿Por qué se fue {persona(r)} tan pronto el {r.choice(DIAS)} {r.randint(1, 28)}?",
    lambda r: f"El {ordinal(r.randint(1, 5), 'm')} premio fue para {r.choice(EMPRESAS)}, S.A.",
    lambda r: f"Cuesta {dinero(r)}, es decir, menos que en {r.randint(2000, 2023)}.",
    lambda r: "{}, su {} ya está {}.".format(_titulo_de_cortesia(r), *objeto(r)),
    lambda r: f"En {r.randint(1800, 2020)} solo quedaban {r.randint(3, 40)} {r.choice(COSAS)} en {r.choice(CIUDADES)}.",
    lambda r: f"Gire en la {r.choice(AVENIDAS)}, camine {r.randint(2, 9)}00 metros y pare en {r.choice(LUGARES)}.",
    lambda r: f"{r.choice(EMPRESAS)}, S.A. ganó {miles(r.randint(12, 999) * 1000)} euros en {r.randint(1995, 2024)}.",
    lambda r: f"El vuelo a EE. UU. sale a {hora(r, True)} de la terminal {r.randint(1, 4)}.",
    lambda r: f"Uds. tienen que llegar antes de {hora(r)}, ¿de acuerdo?",
    lambda r: f"La Dra. {r.choice(APELLIDOS)} atiende en la consulta núm. {r.randint(1, 40)}, "
              f"de {r.randint(8, 10)}:00 a {r.randint(13, 15)}:30.",
    lambda r: "El {} fue {}.".format(*fecha(r)),
    lambda r: f"La temperatura media fue de {decimal(r.randint(50, 350) / 10)} grados, un {r.randint(2, 30)} % "
              f"más que en {r.randint(1950, 2023)}.",
    lambda r: r.choice(HECHOS),
    lambda r: f"El partido terminó {r.randint(0, 6)} a {r.randint(0, 6)} ante {miles(r.randint(3, 95) * 1000)} "
              f"espectadores.",
    lambda r: f"La factura núm. {r.randint(100, 9999)} suma {dinero(r)}, impuestos incluidos.",
    lambda r: f"El Sr. y la Sra. {r.choice(APELLIDOS)} cumplen {r.randint(10, 60)} años de casados "
              f"el {r.randint(1, 28)} de {r.choice(MESES)}.",
    lambda r: f"¿Podría Ud. llamar al Dr. {r.choice(APELLIDOS)} antes de {hora(r)}?",
    lambda r: f"El camión recorrió {miles(r.randint(10, 250) * 100)} kilómetros en {r.randint(2, 12)} meses.",
    lambda r: f"El barrio {r.choice(['norte', 'sur', 'del puerto', 'de la estación'])} tiene "
              f"{miles(r.randint(2, 90) * 1000 + r.randint(0, 999))} vecinos, aprox. el {r.randint(5, 40)} % "
              f"de la ciudad.",
    lambda r: f"Pagué ${r.randint(2, 90)} por {el_objeto(r)} y ${r.randint(2, 90)} por las "
              f"{r.choice(['sillas', 'linternas', 'bufandas', 'macetas', 'naranjas', 'jarras'])}.",
    lambda r: (lambda fundada, edad: f"{r.choice(EMPRESAS)}, S.A., fundada en {fundada}, celebró su "
               f"{ordinal(edad, 'm')} aniversario en {fundada + edad}.")(r.randint(1900, 1990), r.randint(2, 35)),
    lambda r: f"Son {hora(r)} y {persona(r)} todavía no ha llegado.",
    lambda r: f"El premio de la lotería es de {millones(r.choice([1000, 5000, 12500, 60000, 250000]))} euros.",
    lambda r: f"El ayuntamiento invertirá {millones(r.choice([250000, 500000, 750000, 1000000]))} euros en "
              f"{r.choice(['el parque', 'la biblioteca', 'el puerto', 'las escuelas', 'el tranvía'])} "
              f"en {r.randint(2025, 2030)}.",
    lambda r: f"El bebé pesó {decimal(r.randint(25, 45) / 10)} kilos al nacer, el {fecha(r, 1990, 2024)[0]}.",
    lambda r: f"La gasolina cuesta {decimal(r.randint(120, 210) / 100, 2)} euros el litro en {r.choice(CIUDADES)}.",
    lambda r: f"Es la {ordinal(r.randint(2, 9), 'f')} vez que {r.choice(NOMBRES)} pierde el autobús de {hora(r)}.",
    lambda r: f"¡Uds. han ganado {dinero(r)}!",
    lambda r: f"Según el informe, pág. {r.randint(3, 90)}, el paro bajó un {decimal(r.randint(1, 99) / 10)} %.",
    lambda r: f"La delegación viajó a EE. UU. con aprox. {r.randint(12, 300)} deportistas y {r.randint(3, 40)} "
              f"entrenadores.",
    lambda r: f"La {ordinal(r.randint(2, 12), 'f')} edición del festival empieza el {r.randint(1, 28)} "
              f"de {r.choice(MESES)} a {hora(r)}.",
    lambda r: f"Hay {decimal(r.randint(11, 999) / 10)} metros entre la puerta y la ventana, aprox.",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("generado.txt"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen = {}
    while len(seen) < args.count:
        # an abbreviation that ends the sentence keeps a single dot ("etc.", "S.A.", "aprox.")
        sentence = rng.choice(FRAMES)(rng).replace("..", ".")
        if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
            seen.setdefault(sentence, None)
    args.out.write_text("\n".join(seen) + "\n", encoding="utf-8")
    print(f"{len(seen)} sentences -> {args.out}")


if __name__ == "__main__":
    main()
