-brand = Crocodile

page-title = { -brand } i18n-Demo
lang-name = Deutsch
language = Sprache
greeting = Hallo! Ihre Adresse ist { $ip }.
visits = { $count ->
    [one] Diese Seite wurde einmal aufgerufen.
   *[other] Diese Seite wurde { $count } Mal aufgerufen.
}
source = Gewählt durch: { $source }
numbers = Zahlen, wie man sie hier schreibt: { NUMBER($sample, maximumFractionDigits: 2) } und { NUMBER($ratio, style: "percent", maximumFractionDigits: 1) }.
