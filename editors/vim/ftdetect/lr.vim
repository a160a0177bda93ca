" lrc's experiment files, lr(5).
au BufRead,BufNewFile *.lr setfiletype lr
