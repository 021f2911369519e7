-brand = Crocodile

page-title = Démo i18n de { -brand }
lang-name = Français
language = Langue
greeting = Bonjour ! Votre adresse est { $ip }.
visits = { $count ->
    [one] Cette page a été vue { $count } fois.
   *[other] Cette page a été vue { $count } fois.
}
source = Choisi par : { $source }
numbers = Les nombres, comme on les écrit ici : { NUMBER($sample, maximumFractionDigits: 2) } et { NUMBER($ratio, style: "percent", maximumFractionDigits: 1) }.
