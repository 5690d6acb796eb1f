// The one translation unit that compiles Asio, Asio's SSL layer and Beast
// (BOOST_*_SEPARATE_COMPILATION is set for the whole project), so the rest of the code only
// parses their headers.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
