# Compiler settings shared by every gotriage target.
function(gotriage_target_options target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(GOTRIAGE_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    # Qt strictness: every string conversion is explicit, no implicit QUrl from text.
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_ASCII
        QT_NO_CAST_TO_ASCII
        QT_NO_URL_CAST_FROM_STRING
        QT_NO_FOREACH
        QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
        QT_DISABLE_DEPRECATED_UP_TO=0x060400)
endfunction()
