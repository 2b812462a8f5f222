# `cmake --install` and the Debian package (CPack).
#
#   PREFIX/bin/layerloom, layerloom-cli
#   PREFIX/share/layerloom/examples, data            found at run time (data/shipped_files.h)
#   PREFIX/share/applications, metainfo, mime/packages, icons/hicolor   the desktop's view
#   PREFIX/share/man/man1                            generated from --help with help2man

set(layerloom_app_id org.layerloom.LayerLoom)
set(layerloom_linux ${PROJECT_SOURCE_DIR}/resources/linux)

install(TARGETS layerloom-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/examples/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/layerloom/examples FILES_MATCHING PATTERN "*.loom")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/data/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/layerloom/data
        FILES_MATCHING PATTERN "*.csv" PATTERN "SOURCES.md")

if(LAYERLOOM_BUILD_UI)
  install(TARGETS layerloom RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${layerloom_linux}/${layerloom_app_id}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${layerloom_linux}/${layerloom_app_id}.mime.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME ${layerloom_app_id}.xml)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/layerloom.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME ${layerloom_app_id}.svg)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/layerloom.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/mimetypes
          RENAME application-x-layerloom-project.svg)
  # The release's date is the day of the build that made it, unless SOURCE_DATE_EPOCH fixes it.
  string(TIMESTAMP LAYERLOOM_RELEASE_DATE "%Y-%m-%d" UTC)
  configure_file(${layerloom_linux}/${layerloom_app_id}.metainfo.xml.in
                 ${PROJECT_BINARY_DIR}/${layerloom_app_id}.metainfo.xml @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${layerloom_app_id}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()

# Manual pages, from each program's --help and --version (help2man, a Debian package).
find_program(LAYERLOOM_HELP2MAN help2man)
find_program(LAYERLOOM_GZIP gzip)
if(LAYERLOOM_HELP2MAN AND LAYERLOOM_GZIP AND NOT LAYERLOOM_SANITIZE AND NOT LAYERLOOM_TSAN)
  set(pages layerloom-cli)
  set(layerloom-cli_name "design, check and train sequence neural networks from the command line")
  if(LAYERLOOM_BUILD_UI)
    list(APPEND pages layerloom)
    set(layerloom_name "design and train sequence neural networks with live shape checks")
  endif()
  set(outputs "")
  foreach(page ${pages})
    set(out ${PROJECT_BINARY_DIR}/man/${page}.1.gz)
    # The GUI prints its --help without a display, on Qt's offscreen platform.
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
              ${LAYERLOOM_HELP2MAN} --no-info --section=1 --name=${${page}_name}
              --include=${layerloom_linux}/${page}.h2m
              --output=${PROJECT_BINARY_DIR}/man/${page}.1 $<TARGET_FILE:${page}>
      COMMAND ${LAYERLOOM_GZIP} -9nf ${PROJECT_BINARY_DIR}/man/${page}.1
      DEPENDS ${page} ${layerloom_linux}/${page}.h2m
      COMMENT "Writing the manual page of ${page}" VERBATIM)
    list(APPEND outputs ${out})
  endforeach()
  add_custom_target(layerloom_man ALL DEPENDS ${outputs})
  install(FILES ${outputs} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no manual pages (Debian package help2man)")
endif()

# The Debian package: scripts/package.sh runs `cpack` in the build folder.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME layerloom)
set(CPACK_PACKAGE_VENDOR "LayerLoom")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "design and train sequence neural networks with live shape checks")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "design and train sequence neural networks with live shape checks
 LayerLoom is a desktop tool for designing LSTM and GRU autoencoders,
 forecasters and classifiers with skip connections. Every wire shows the
 tensor shape it carries, and every mismatch is explained in plain words
 with one-click fixes. Models train in the window with live plots, and
 export as Keras or PyTorch code and TF.js model files.
 .
 This package holds the application (layerloom), the command line
 (layerloom-cli), example projects and sample time series.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "LayerLoom developers")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The libraries' packages, from the programs' own links (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-dejavu-core, qt6-wayland")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR})
include(CPack)
